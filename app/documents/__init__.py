"""Case documents: template manifest, render context, sandboxed rendering, lint, numbering, dossier."""
