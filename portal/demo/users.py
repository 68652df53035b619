from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from sales.roles import SALES_MANAGER, SALESPERSON


@dataclass(frozen=True)
class DemoUser:
    username: str
    password: str
    first_name: str
    last_name: str
    role: str
    groups: tuple[str, ...] = ()
    is_superuser: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@example.com"


# Development-only passwords, documented in the README and printed by
# ``make run``. The command refuses to run without DEBUG unless forced.
DEMO_USERS = (
    DemoUser("editor", "editor-demo", "Elena", "Marsh", "editor", ("Editors",)),
    DemoUser("approver", "approver-demo", "Amir", "Patel", "approver", ("Moderators",)),
    DemoUser("sam", "sam-demo", "Sam", "Okafor", "salesperson", (SALESPERSON,)),
    DemoUser("riley", "riley-demo", "Riley", "Chen", "salesperson", (SALESPERSON,)),
    DemoUser(
        "morgan", "morgan-demo", "Morgan", "Reyes", "sales manager", (SALES_MANAGER,)
    ),
    DemoUser("admin", "admin-demo", "Ada", "Admin", "administrator", is_superuser=True),
)


def load_users() -> list[DemoUser]:
    User = get_user_model()
    for demo in DEMO_USERS:
        user, _ = User.objects.update_or_create(
            username=demo.username,
            defaults={
                "first_name": demo.first_name,
                "last_name": demo.last_name,
                "email": demo.email,
                "is_staff": demo.is_superuser,
                "is_superuser": demo.is_superuser,
                "is_active": True,
            },
        )
        if not user.check_password(demo.password):
            user.set_password(demo.password)
            user.save(update_fields=["password"])
        user.groups.set(Group.objects.filter(name__in=demo.groups))
    return list(DEMO_USERS)
