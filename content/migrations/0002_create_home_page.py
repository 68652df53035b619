from django.db import migrations


def create_home_page(apps, schema_editor):
    """Replace Wagtail's generic welcome page with the portal's own home page."""
    ContentType = apps.get_model("contenttypes.ContentType")
    Page = apps.get_model("wagtailcore.Page")
    Site = apps.get_model("wagtailcore.Site")
    HomePage = apps.get_model("content.HomePage")
    Locale = apps.get_model("wagtailcore.Locale")

    generic = ContentType.objects.get(model="page", app_label="wagtailcore")
    Page.objects.filter(content_type=generic, slug="home", depth=2).delete()

    home_type, _ = ContentType.objects.get_or_create(
        model="homepage", app_label="content"
    )
    home = HomePage.objects.create(
        title="Pool buyer's learning centre",
        draft_title="Pool buyer's learning centre",
        slug="home",
        content_type=home_type,
        path="00010001",
        depth=2,
        numchild=0,
        url_path="/home/",
        live=True,
        locale=Locale.objects.order_by("pk").first(),
    )
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page_id": home.pk,
                  "site_name": "Blue Lagoon Pools"},
    )


def remove_home_page(apps, schema_editor):
    HomePage = apps.get_model("content.HomePage")
    HomePage.objects.filter(slug="home", depth=2).delete()


class Migration(migrations.Migration):
    dependencies = [("content", "0001_initial")]

    operations = [migrations.RunPython(create_home_page, remove_home_page)]
