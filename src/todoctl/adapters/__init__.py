"""todoctl's adapters to the world outside the process: programs (through the one runner), Helm,
the Kubernetes API, the cluster providers, Docker and registries."""
