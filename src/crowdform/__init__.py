"""crowdform: self-hosted labeling jobs that run Ground Truth assets unchanged."""

__version__ = "0.1.0"
