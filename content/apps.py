from django.apps import AppConfig


class ContentConfig(AppConfig):
    name = "content"
    verbose_name = "Content library"

    def ready(self):
        from content import signals

        signals.connect()
