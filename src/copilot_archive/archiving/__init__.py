"""Archiving: plan report-days, ask GitHub for links, stream them into storage, commit."""
