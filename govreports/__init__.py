"""govreports: harvest Chinese local governments' annual reports on government information disclosure."""

__version__ = "0.1.0"
