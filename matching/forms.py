"""The matching dashboard's form: how a cycle's suggestions are scored."""

from django import forms

from .models import MatchSettings


class WeightsForm(forms.ModelForm):
    class Meta:
        model = MatchSettings
        fields = [
            "weight_title",
            "weight_responsibilities",
            "weight_library_type",
            "weight_region",
            "weight_experience",
            "exclude_same_institution",
        ]
        widgets = {
            **{
                name: forms.NumberInput(attrs={"min": 0, "max": 100, "class": "form-control form-control-sm"})
                for name in fields[:-1]
            },
            "exclude_same_institution": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }

    # All weights at zero: the model's constraint says so, in a sentence
    # ("At least one weight must be above zero."), once.
