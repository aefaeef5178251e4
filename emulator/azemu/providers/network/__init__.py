"""Microsoft.Network resource types."""
