"""Prefect flows that compose the pipeline stages. Importing this package applies paperkg's
Prefect defaults (see ``flows.settings``) before Prefect itself is imported."""

from flows.settings import configure_prefect

configure_prefect()
