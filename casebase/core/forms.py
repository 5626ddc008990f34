"""The form base every form of the site uses."""

from django import forms


class Form(forms.Form):
    """Labels without Django's trailing colon: they read as plain questions."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
