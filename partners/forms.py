"""P8 on the forms of a partner's pages: which partner's co-brand notice, and which
version of it, was shown with a form comes back with it, so that the record made names
the notice its author read."""

from django import forms

from partners.models import PartnerHost, host_normalize


class PartnerHostForm(forms.ModelForm):
    """A partner's host in admin, normalized as soon as it is read, so that two rows of
    one submission differing only in capitals, port or final dot are found to be the
    same host (a formset compares what its forms read)."""

    class Meta:
        model = PartnerHost
        fields = ["host"]

    def clean_host(self) -> str:
        host = self.cleaned_data["host"]
        return host_normalize(host) or host


def notice_shown(partner) -> str:
    """What a form's hidden field says of the notice shown with it: whose notice (the
    partner's slug) and which version of it, e.g. "monster:3"."""
    return f"{partner.slug}:{partner.notice_version}"


def notice_version_field(partner) -> forms.CharField:
    return forms.CharField(
        widget=forms.HiddenInput,
        required=False,
        initial=notice_shown(partner) if partner is not None else None,
    )


def notice_version_check(form: forms.Form, partner, field: str = "notice_version") -> None:
    """Refuse a form sent under another partner's notice, or another version of it, than
    the one in force (the partner may have been switched while the page was open). The
    page shown again carries the current notice. Once checked, the field holds the
    version of the notice shown (None when there is no partner)."""
    if partner is None:
        form.cleaned_data[field] = None
        return
    if form.cleaned_data.get(field) == notice_shown(partner):
        form.cleaned_data[field] = partner.notice_version
        return
    form.data = form.data.copy()
    form.data[field] = notice_shown(partner)
    raise forms.ValidationError(
        f"The notice of {partner.name} on this page has changed since this page was opened. "
        "Please read it, then send the form again."
    )
