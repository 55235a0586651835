"""The public UI's checks: browser journeys (playwright + Chromium + axe-core) and the translation check.

Not a Django app: the shell, styles and locale live in madoguchi/templates, static and locale.
"""
