"""Pictures of the archive: the panels (one definition), the local HTML report and the Grafana dashboard."""
