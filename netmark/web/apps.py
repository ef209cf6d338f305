from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "netmark.web"
    label = "web"
