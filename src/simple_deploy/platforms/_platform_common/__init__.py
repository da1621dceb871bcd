"""What Platform.sh (Upsun Fixed) and Upsun (Flex) share: one company, one API, one CLI
code base (`platform` and `upsun` are two builds of platformsh/cli around
platformsh/legacy-cli), the same PLATFORM_* variables at run time.

`flavor.Flavor` names what differs; `automate` drives either CLI. The app's
configuration and settings templates live in `platforms/platform_sh/templates`
and are rendered by both plugins (`platform_sh.plugin.app_context` and
`settings_change`), so a change to how a Django app is built or served reaches
both products at once.
"""
