from django import forms

from consent.models import ADDRESS_MAX_LENGTH, validate_address_length


class AddressField(forms.EmailField):
    """An e-mail address that fits wherever the site keeps one, also once its domain
    is written in ASCII (the form's default limit, 320, is longer)."""

    default_validators = [*forms.EmailField.default_validators, validate_address_length]

    def __init__(self, **kwargs):
        super().__init__(max_length=ADDRESS_MAX_LENGTH, **kwargs)
