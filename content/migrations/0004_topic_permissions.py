from django.db import migrations

GROUPS = ("Editors", "Moderators")
ACTIONS = ("add", "change", "delete", "view")


def topic_permissions(apps):
    # Permissions are normally created after every migration has run; make
    # sure they exist so they can be granted here.
    ContentType = apps.get_model("contenttypes.ContentType")
    Permission = apps.get_model("auth.Permission")
    topic_type, _ = ContentType.objects.get_or_create(app_label="content", model="topic")
    return [
        Permission.objects.get_or_create(
            content_type=topic_type,
            codename=f"{action}_topic",
            defaults={"name": f"Can {action} topic"},
        )[0]
        for action in ACTIONS
    ]


def grant_topic_permissions(apps, schema_editor):
    """Let the people who write and approve pages manage topics too."""
    Group = apps.get_model("auth.Group")
    permissions = topic_permissions(apps)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke_topic_permissions(apps, schema_editor):
    Group = apps.get_model("auth.Group")
    permissions = topic_permissions(apps)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0003_content_library"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [
        migrations.RunPython(grant_topic_permissions, revoke_topic_permissions)
    ]
