"""The shared core: key layout, settings, storage, manifests, errors and observability."""
