"""todoctl: build, load, deploy and prove the AI Todo chatbot on Kubernetes."""
