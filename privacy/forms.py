from django import forms

from privacy.cookies import CATEGORY_TEXT, Category, CookieChoices, categories_offered


class CookieChoicesForm(forms.Form):
    """The banner's three buttons and the cookies page's tick boxes, in one form."""

    choice = forms.ChoiceField(
        choices=[
            ("all", "Accept all"),
            ("necessary", "Reject non-essential"),
            ("custom", "Save my choices"),
        ]
    )
    next = forms.CharField(required=False, max_length=2000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for category in categories_offered():
            self.fields[category.value] = forms.BooleanField(
                label=f"{category.label} cookies", help_text=CATEGORY_TEXT[category], required=False
            )

    def choices(self) -> CookieChoices:
        choice = self.cleaned_data["choice"]
        offered = categories_offered()
        if choice == "all":
            granted = set(offered)
        elif choice == "necessary":
            granted = set()
        else:
            granted = {category for category in offered if self.cleaned_data.get(category.value)}
        return CookieChoices(frozenset(Category(c) for c in granted))
