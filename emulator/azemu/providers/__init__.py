"""Resource providers. Every module in this package is imported at start-up and registers its
types with `@register` (see emulator/docs/resource-types.md); no list to edit."""
