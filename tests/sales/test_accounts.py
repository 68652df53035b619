import re

import pytest
from django.core import mail

from tests.sales.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_password_reset_emails_a_working_link(client, seller):
    response = client.post("/accounts/password_reset/", {"email": seller.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body)
    assert link, mail.outbox[0].body
    form = client.get(link.group(1), follow=True)
    assert b"Choose a new password" in form.content

    done = client.post(
        form.redirect_chain[-1][0],
        {
            "new_password1": "a-new-long-password",
            "new_password2": "a-new-long-password",
        },
    )

    assert done.status_code == 302
    assert client.login(username=seller.username, password="a-new-long-password")


def test_password_reset_page_uses_the_portal_look(client):
    response = client.get("/accounts/password_reset/")

    assert b'class="skip-link"' in response.content
    assert b"Send reset link" in response.content


def test_wagtail_menu_links_to_the_sales_view_for_sales_staff(client, seller):
    seller.is_staff = True
    seller.save()
    from django.contrib.auth.models import Permission

    access = Permission.objects.get(codename="access_admin")
    seller.user_permissions.add(access)
    editor = UserFactory(groups=["Editors"])
    editor.user_permissions.add(access)

    client.force_login(seller)
    assert b"Sales view" in client.get("/admin/").content

    client.force_login(editor)
    assert b"Sales view" not in client.get("/admin/").content
