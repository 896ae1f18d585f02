"""Demo: the demo writer works on the demo job seeker's resume order, if there is one."""

from accounts.demo import JOB_SEEKER_EMAIL
from accounts.models import User
from orders.models import Entitlement
from resumes.services import resume_workspace_open, resume_writer_assign

DEMO_WRITER_EMAIL = "resume-writer@example.com"


def seed() -> list[tuple[str, str]]:
    writer = User.objects.filter(email=DEMO_WRITER_EMAIL).first()
    entitlements = Entitlement.objects.filter(
        user__email=JOB_SEEKER_EMAIL,
        kind=Entitlement.Kind.RESUME_WRITING,
        revoked_at__isnull=True,
    )
    for entitlement in entitlements:
        workspace = resume_workspace_open(entitlement=entitlement)
        if writer is not None and workspace.writer_id is None:
            resume_writer_assign(workspace=workspace, writer=writer, actor=None)
    return []
