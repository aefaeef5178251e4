"""Microsoft.Compute resource types."""
