import factory

from feedback.models import Feedback


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"author{n}@example.com")
    body = factory.Faker("paragraph")


def story(**fields) -> Feedback:
    """Feedback whose author opted in to publication and that staff approved."""
    return FeedbackFactory(
        publish=True,
        display_name=fields.pop("display_name", "Sam, Ohio"),
        status=Feedback.Status.APPROVED,
        **fields,
    )
