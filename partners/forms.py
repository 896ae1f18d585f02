"""P8 on the forms of a partner's pages: the version of the co-brand notice shown with a
form comes back with it, so that the record made names the notice its author read."""

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


def notice_version_field(partner) -> forms.IntegerField:
    return forms.IntegerField(
        widget=forms.HiddenInput,
        required=False,
        initial=partner.notice_version if partner is not None else None,
    )


def notice_version_check(form: forms.Form, partner, field: str = "notice_version") -> None:
    """Refuse a form sent under another version of the partner's notice than the one in
    force. The page shown again carries the current notice and its version."""
    if partner is None or form.cleaned_data.get(field) == partner.notice_version:
        return
    form.data = form.data.copy()
    form.data[field] = partner.notice_version
    raise forms.ValidationError(
        f"The notice of {partner.name} on this page has changed since this page was opened. "
        "Please read it, then send the form again."
    )
