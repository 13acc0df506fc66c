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

    def __init__(self, *args, questions=(), **kwargs):
        super().__init__(*args, **kwargs)
        # One weight for each of the cycle's "match on this" questions, next to the others.
        self.questions = list(questions)
        for q in self.questions:
            self.fields[f"question_{q.pk}"] = forms.IntegerField(
                label=q.text,
                min_value=0,
                max_value=100,
                initial=q.match_weight,
                widget=forms.NumberInput(attrs={"min": 0, "max": 100, "class": "form-control form-control-sm"}),
            )
        self.order_fields([name for name in self.fields if name != "exclude_same_institution"])

    def question_weights(self) -> dict[int, int]:
        return {q.pk: self.cleaned_data[f"question_{q.pk}"] for q in self.questions}
