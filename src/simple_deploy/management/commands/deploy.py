"""`manage.py deploy`: options in, core out. All the work happens in the core."""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from urllib.parse import urlsplit

from django.core.management.base import BaseCommand, CommandError

# Django's start-up (settings, apps, models: most of the objects this process will
# ever hold) lives until the run ends: the garbage collector need not walk it again
# on every full collection while our modules load and the run works. Objects made
# from here on are collected as usual.
gc.freeze()

from simple_deploy import platform_flags, plugins  # noqa: E402
from simple_deploy.checks import ignored_needed_message  # noqa: E402
from simple_deploy.configure import (  # noqa: E402
    ConfigureError,
    Prepared,
    apply_plan,
    overwrite_preview,
    prepare,
)
from simple_deploy.django_support import unsupported_message  # noqa: E402
from simple_deploy.env_options import EnvOptionError, parse_env_options  # noqa: E402
from simple_deploy.log import LogError, RunLog  # noqa: E402
from simple_deploy.plan import unified_diff  # noqa: E402
from simple_deploy.project import InspectionError, inspect  # noqa: E402
from simple_deploy.runner import Runner  # noqa: E402
from simple_deploy.startup_errors import driver_upgrades  # noqa: E402
from simple_deploy.summary import render_summary, terminal_summary  # noqa: E402


def _chosen_platform(argv: list[str]) -> str | None:
    """The --platform value on the command line, unless help was asked for.

    Only the chosen platform's options are needed to parse a run; importing every
    installed plugin for them would make every run pay for all platforms.
    """
    if "-h" in argv or "--help" in argv:
        return None
    for i, arg in enumerate(argv):
        if arg == "--platform" and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith("--platform="):
            return arg.split("=", 1)[1]
    return None


def _saved(log: RunLog, git_root: Path) -> str:
    """Save the log of a stopped run; a log that cannot be saved must not hide why it stopped."""
    try:
        return f"Log: {log.save(git_root)}"
    except LogError as exc:
        return f"(The log was not saved: {exc})"


def _masked_argv(argv: list[str]) -> list[str]:
    """The command line for the log, with --env values hidden (they are the project's
    secrets, whatever their length)."""
    out = []
    masked_next = False
    for arg in argv:
        if masked_next:
            out.append(arg.split("=", 1)[0] + "=<hidden>")
            masked_next = False
        elif arg == "--env":
            out.append(arg)
            masked_next = True
        elif arg.startswith("--env="):
            out.append("--env=" + arg[len("--env=") :].split("=", 1)[0] + "=<hidden>")
        else:
            out.append(arg)
    return out


def _rehearsal_limits(items: list[str] | None) -> dict[str, float]:
    """--rehearse-limit values, checked before anything runs (the rehearsal's modules
    are imported only when the option is given: most runs do not rehearse)."""
    if not items:
        return {}
    from simple_deploy.rehearsal.limits import LimitError, parse_limits

    try:
        return parse_limits(items)
    except LimitError as exc:
        raise CommandError(str(exc)) from exc


def _interrupted(stopped: KeyboardInterrupt) -> str:
    """Ctrl-C during --rehearse: what was stopped (RehearsalInterrupted names the step)."""
    step = getattr(stopped, "step", "")
    if not step:
        return "Rehearsal interrupted before it started. Nothing of yours was changed."
    return (
        f"Rehearsal interrupted during the {step} step: every process it started was "
        "stopped and its temporary folder removed. Nothing of yours was changed."
    )


def _start_dir() -> Path:
    script = Path(sys.argv[0]) if sys.argv else None
    if script is not None and script.name == "manage.py" and script.exists():
        return script.resolve().parent
    return Path.cwd()


def _for_platform(project, plugin):
    """The project as the platform sees it: the module the settings load under this
    platform's flag, when they have one (platform_flags), and the settings probed with
    the platform's own variables they read (platform_flags.with_platform_variables)."""
    read = {var.name for var in project.env_vars}
    if not project.flag_modules and not read & platform_flags.IDENTITY_NAMES:
        return project
    runtime = plugin.runtime(project)
    sets = frozenset({*runtime.env, *runtime.run_env})
    project = platform_flags.for_platform(project, plugin.label, sets)
    return platform_flags.with_platform_variables(project, {**runtime.env, **runtime.run_env})


def _derived_gives(runtime, name: str) -> bool:
    """Whether the runtime's computed variables include `name` (for sample values)."""
    sample = {
        "database_url": "postgresql://u:p@127.0.0.1:5432/d",
        "host": runtime.host,
        "secret_key": "x",
        "port": "0",
    }
    try:
        return name in runtime.derived_env(sample)
    except Exception:  # a plugin's computation failing here is reported by the rehearsal
        return False


def _rehearsal_database(project, plugin, options):
    """The rehearsal's database, decided before any work: a platform whose app needs
    PostgreSQL stops here, at once, when none is given and none can be started."""
    from simple_deploy.rehearsal.postgres import NoDatabase, choose

    try:
        return choose(
            plugin.label,
            plugin.runtime(project).needs_postgres,
            options.get("database_url"),
            os.environ.get("DATABASE_URL"),
        )
    except NoDatabase as exc:
        raise ConfigureError(str(exc)) from exc


# --redis-url given without a value: the URL is typed at a prompt that does not echo
# it (a Redis URL usually holds a password, which a command line would show).
_ASK = "\0ask"


def _rehearsal_redis(project, plugin, options):
    """The rehearsal's Redis, decided before any work: a project whose settings read
    one stops here, at once, when none is given and redis-server is not installed."""
    from simple_deploy.rehearsal.redis import NoRedis, choose

    needs = plugin.runtime(project).needs_redis
    given = options.get("redis_url")
    if needs and given == _ASK:
        import getpass

        given = getpass.getpass("Redis URL for the rehearsal (not shown): ").strip()
        if not given:
            raise ConfigureError(
                "--redis-url was given without a URL, and none was typed at its prompt. "
                "Type the URL (redis://:PASSWORD@HOST:PORT/0) when asked, or leave the "
                "option out to let the rehearsal start a throwaway redis-server. Nothing "
                "was changed."
            )
    try:
        return choose(plugin.label, needs, given)
    except NoRedis as exc:
        raise ConfigureError(str(exc)) from exc


class Command(BaseCommand):
    help = (
        "Configure this Django project for a hosting platform: settings, requirements and "
        "the platform's files. Nothing is committed and nothing is created on any account, "
        "unless --automate-all is given."
    )

    # Configuring writes settings and platform files whatever the state of the
    # project's models and URLs, so Django's system checks do not gate it (the
    # rehearsal runs `check --deploy`); --automate-all runs them before it deploys.
    requires_system_checks = []

    def run_from_argv(self, argv):
        # Before the parser: on an older Django even building it may fail.
        import django

        message = unsupported_message(django.VERSION, django.get_version(), driver_upgrades)
        if message:
            self.stderr.write(message)
            sys.exit(1)
        super().run_from_argv(argv)

    def execute(self, *args, **options):
        import django

        message = unsupported_message(django.VERSION, django.get_version(), driver_upgrades)
        if message:
            raise CommandError(message)
        return super().execute(*args, **options)

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # Django's options common to every command read best after ours.
        general = parser._optionals
        general.title = "Options of every Django command"
        parser._action_groups.remove(general)
        parser._action_groups.append(general)
        return parser

    def add_arguments(self, parser):
        names = ", ".join(plugins.available()) or "none installed"
        configure = parser.add_argument_group("Configuration")
        configure.add_argument(
            "--platform",
            required=True,
            metavar="NAME",
            help=f"The platform to deploy to. Installed: {names}.",
        )
        configure.add_argument(
            "--dry-run",
            action="store_true",
            help="Show the changes as a unified diff and write nothing.",
        )
        configure.add_argument(
            "--overwrite",
            action="store_true",
            help="Replace platform files you wrote yourself (Procfile ...); they are named first.",
        )
        configure.add_argument(
            "--production-group",
            action="append",
            default=[],
            metavar="GROUP",
            help=(
                "A Poetry or uv dependency group production installs (repeatable). Groups "
                "named production, prod, deploy, server or web are found by themselves."
            ),
        )
        configure.add_argument(
            "--ignore-unclean-git",
            action="store_true",
            help="Run even though the git working tree has uncommitted changes.",
        )
        configure.add_argument(
            "--settings-module",
            metavar="MODULE",
            help=(
                "The settings module production uses, e.g. config.settings.production "
                "(default: a production module beside the one manage.py names, else that one)."
            ),
        )
        # Both change the generated configuration (fly.toml names the app and region).
        configure.add_argument(
            "--deployed-project-name",
            metavar="NAME",
            help=(
                "Name of the app on the platform. Default: reused from this repository's "
                "link to the platform; otherwise Fly.io: this folder's name plus a short "
                "stable suffix; Heroku: a name Heroku chooses; Platform.sh and Upsun: the "
                "folder's name plus a short hash of this repository."
            ),
        )
        configure.add_argument(
            "--region",
            metavar="REGION",
            help=(
                "Region to create the app in, in the platform's own names. Default: Fly.io "
                "iad, Platform.sh eu-3.platform.sh, Heroku's default (us)."
            ),
        )
        automate = parser.add_argument_group("Automation (--automate-all)")
        automate.add_argument(
            "--automate-all",
            action="store_true",
            help=(
                "Also create the app and database on the platform (after one confirmation), "
                "commit, deploy, and open the site. Re-running reuses what exists."
            ),
        )
        automate.add_argument(
            "--no-input",
            action="store_true",
            help="Do not ask for confirmation (for scripts).",
        )
        rehearse = parser.add_argument_group("Rehearsal")
        rehearse.add_argument(
            "--rehearse",
            action="store_true",
            help=(
                "Rehearse the last commit locally as the platform would run it: install, "
                "build, release, check, serve, and request its pages and their static files. "
                "Writes nothing to your files: configure first (run without --rehearse), "
                "commit, then rehearse."
            ),
        )
        rehearse.add_argument(
            "--database-url",
            metavar="URL",
            help="Database for the rehearsal (default: $DATABASE_URL, else a SQLite file).",
        )
        rehearse.add_argument(
            "--redis-url",
            metavar="URL",
            nargs="?",
            const=_ASK,
            help=(
                "Redis for the rehearsal of a project whose settings read one (default: a "
                "throwaway redis-server). Without URL, it is asked for and not shown."
            ),
        )
        rehearse.add_argument(
            "--env",
            action="append",
            metavar="KEY=VALUE",
            help=(
                "A variable your settings need, present at build, release and run time in "
                "the rehearsal (repeatable). Values are never shown or logged."
            ),
        )
        rehearse.add_argument(
            "--rehearse-limit",
            action="append",
            metavar="STEP=SECONDS",
            help=(
                "Give a rehearsal step more (or less) time than its limit (repeatable), e.g. "
                "release=600 for long migrations. Limits: install 1800, build 900, release "
                "180, check --deploy 120, migrations 120, web 60, pages 120, process 60 (each "
                "worker until ready), task 90 seconds."
            ),
        )
        rehearse.add_argument(
            "--env-file",
            metavar="PATH",
            help="Variables for the rehearsal from a dotenv file (KEY=VALUE lines).",
        )
        self._broken_options: dict[str, str] = {}
        chosen = _chosen_platform(sys.argv)
        for name in plugins.available():
            if chosen is not None and name != chosen:
                continue
            try:
                plugin = plugins.load(name)
            except plugins.PluginError:
                continue  # reported when the user picks it
            if plugin.add_arguments is None:
                continue
            try:
                plugin.add_arguments(parser.add_argument_group(f"{plugin.label} options"))
            except Exception as exc:  # one broken plugin must not break the others
                self._broken_options[name] = f"{type(exc).__name__}: {exc}"

    def handle(self, *args, **options):
        log = RunLog()
        log.add(f"deploy {' '.join(_masked_argv(sys.argv[1:]))}")
        try:
            plugin = plugins.load(options["platform"])
            broken = getattr(self, "_broken_options", {}).get(plugin.name)
            if broken:
                raise plugins.PluginError(
                    f"The platform plugin '{plugin.name}' failed to add its options ({broken}). "
                    "Reinstall or upgrade that package, or report it to its authors."
                )
            extra_env = parse_env_options(options.get("env"), options.get("env_file"))
            limits = _rehearsal_limits(options.get("rehearse_limit"))
            project = _for_platform(
                inspect(
                    _start_dir(),
                    settings_module=options.get("settings_module"),
                    running_settings=os.environ.get("DJANGO_SETTINGS_MODULE"),
                    production_groups=tuple(options.get("production_group") or ()),
                ),
                plugin,
            )
            if options["dry_run"] and options["rehearse"]:
                raise ConfigureError(
                    "--rehearse and --dry-run cannot be combined: a dry run writes nothing, "
                    "and the rehearsal runs what is committed. Run --dry-run to see the "
                    "changes, then run without it, commit, and run --rehearse."
                )
            if options["rehearse"] and not options["automate_all"]:
                missing = self._missing_rehearsal_env(project, plugin, extra_env)
                if missing:
                    raise ConfigureError(missing)
                database = _rehearsal_database(project, plugin, options)
                redis_choice = _rehearsal_redis(project, plugin, options)
                # Rehearses what is committed; configuring again would rewrite the
                # user's deliberate edits to generated files.
                try:
                    self._rehearse(
                        project, plugin, options, log, extra_env, database, limits, redis_choice
                    )
                except KeyboardInterrupt as stopped:
                    # 130: what a shell reports for a command ended by Ctrl-C.
                    raise CommandError(_interrupted(stopped), returncode=130) from None
                return
            if options["automate_all"]:
                if options["dry_run"]:
                    raise ConfigureError("--dry-run and --automate-all cannot be combined.")
                self._automate(project, plugin, options, log)
                return
            prepared = prepare(project, plugin, options, dry_run=options["dry_run"])
            if options["dry_run"]:
                self._show_dry_run(prepared, overwrite_preview(prepared, options))
                return
        except (
            plugins.PluginError,
            InspectionError,
            ConfigureError,
            EnvOptionError,
        ) as exc:
            raise CommandError(str(exc)) from exc

        runner = Runner(log=log, stream=self.stdout)
        try:
            plan, written = apply_plan(prepared, runner)
        except ConfigureError as exc:
            log.add(f"stopped: {exc}")
            raise CommandError(f"{exc}\n{_saved(log, project.git_root)}") from exc

        guide = plugin.guide(project, options)
        summary = render_summary(project, plugin, plan, guide, written)
        log.add(summary)
        log.save(project.git_root)
        summary_path = log.save_text(project.git_root, f"summary-{plugin.name}", summary)
        self.stdout.write(terminal_summary(summary, str(summary_path)))

    def _confirm(self, notice: str, options) -> bool:
        self.stdout.write(notice)
        if options["no_input"]:
            return True
        try:
            answer = input("Go ahead? [y/N] ")
        except EOFError:
            answer = ""
        return answer.strip().lower() in ("y", "yes")

    def _automate(self, project, plugin, options, log: RunLog) -> None:
        # Imported by --automate-all runs only: a configuration run never loads them.
        from simple_deploy.automate import StepFailed
        from simple_deploy.automate_all import automate_all

        # Deploying a project whose system checks fail would fail on the platform.
        self.check(display_num_errors=False)
        runner = Runner(log=log, stream=self.stdout)

        def show(name: str, outcome: str) -> None:
            self.stdout.write(f"  [{self.style.SUCCESS('done')}] {name}: {outcome}")

        try:
            result = automate_all(
                project,
                plugin,
                options,
                runner,
                confirm=lambda notice: self._confirm(notice, options),
                on_step=show,
            )
        except (ConfigureError, StepFailed) as exc:
            log.add(f"stopped: {exc}")
            raise CommandError(f"{log.redact(str(exc))}\n{_saved(log, project.git_root)}") from exc
        facts = {**options, **result.context.facts}
        guide = plugin.guide(project, facts)
        summary = render_summary(
            project, plugin, result.plan, guide, result.written, automated=result.context
        )
        log.add(summary)
        log.save(project.git_root)
        summary_path = log.save_text(project.git_root, f"summary-{plugin.name}", summary)
        self.stdout.write(terminal_summary(summary, str(summary_path)))

    def _show_dry_run(self, prepared: Prepared, only_with_overwrite: list) -> None:
        plan = prepared.plan
        blocked = {c.path for c in only_with_overwrite}
        changes = [c for c in plan.effective if c.path not in blocked]
        if not changes and not only_with_overwrite:
            self.stdout.write("Dry run: nothing to change; the project is already configured.")
            return
        for note in plan.notes:
            self.stdout.write(f"# {note}")
        for change in changes:
            self.stdout.write(f"# {change.path}: {change.reason}")
            self.stdout.write(unified_diff(change))
        if plan.lock_argv:
            self.stdout.write(
                f"# The lock file would then be refreshed with `{' '.join(plan.lock_argv)}`."
            )
        if only_with_overwrite:
            names = ", ".join(c.path for c in only_with_overwrite)
            kept = plan.user_files == ()
            self.stdout.write(
                f"# Only with --overwrite: these files are yours ({names}). "
                + (
                    "Without it they are kept as they are."
                    if kept
                    else "Without --overwrite the run stops and changes nothing."
                )
            )
            for change in only_with_overwrite:
                self.stdout.write(f"# {change.path} (with --overwrite): {change.reason}")
                self.stdout.write(unified_diff(change))
        summary = f"Dry run: {len(changes)} file(s) would change; nothing written."
        if only_with_overwrite:
            names = ", ".join(c.path for c in only_with_overwrite)
            summary += f" {names}: needs --overwrite (the diff above shows what it would apply)."
        self.stdout.write(self.style.WARNING(summary))

    @staticmethod
    def _missing_rehearsal_env(project, plugin, extra_env) -> str:
        """Variables the settings need to import that neither the platform's declared
        environment nor --env/--env-file gives: say so before anything is written."""
        runtime = plugin.runtime(project)
        given = {*runtime.env, *runtime.run_env, *extra_env}
        missing = [v.name for v in project.required_env if v.name not in given]
        if runtime.derived_env is not None:
            missing = [name for name in missing if not _derived_gives(runtime, name)]
        if not missing:
            return ""
        return (
            f"{project.settings_module} cannot import without {', '.join(missing)}, which "
            f"{plugin.label} only has once you set it. Give the rehearsal values: "
            + " ".join(f"--env {name}=<value>" for name in missing)
            + " (or --env-file PATH; values are never shown or logged). Nothing was changed."
        )

    def _rehearse(
        self, project, plugin, options, log: RunLog, extra_env, database, limits, redis_choice
    ) -> None:
        from dataclasses import replace

        from simple_deploy.drift import compare_head
        from simple_deploy.package_managers import get
        from simple_deploy.rehearsal import RehearsalInterrupted, rehearse
        from simple_deploy.rehearsal.docker import engine_for

        for name, value in extra_env.items():
            log.add_secret(value)
            log.add(f"rehearsal variable given: {name} (value not logged)")
        if redis_choice is not None and redis_choice.url:
            log.add_secret(redis_choice.url)
            log.add_secret(urlsplit(redis_choice.url).password or "")
            log.add(f"rehearsal Redis: {redis_choice.describe()}")
        # HEAD is inspected with the same settings choices as this run.
        drift = compare_head(
            project,
            plugin,
            options,
            inspector=lambda path: _for_platform(
                inspect(
                    path,
                    settings_module=options.get("settings_module"),
                    running_settings=os.environ.get("DJANGO_SETTINGS_MODULE"),
                    production_groups=tuple(options.get("production_group") or ()),
                ),
                plugin,
            ),
        )
        runtime = drift.runtime or plugin.runtime(project)
        manager = get(drift.package_manager or project.package_manager)
        if manager.name == project.package_manager:
            # The install this project needs (its production groups ...), as inspected;
            # with the project itself where the platform's builder installs it.
            steps = project.deps.install_steps
            if runtime.installs_project and project.deps.package_install_steps:
                steps = project.deps.package_install_steps
            manager = replace(manager, install_steps=steps)
        notice = drift.message(plugin)
        log.add(notice)
        self.stdout.write(
            notice if drift.configured and not drift.differing else self.style.WARNING(notice)
        )
        self.stdout.write(f"\nRehearsing the last commit as {plugin.label} would run it:")

        def show(step):
            mark = self.style.SUCCESS("pass") if step.ok else self.style.ERROR("FAIL")
            summary = f": {step.summary}" if step.summary else ""
            self.stdout.write(f"  [{mark}] {step.name} ({step.seconds:.1f} s){summary}")
            log.add(f"rehearsal {step.name}: {'pass' if step.ok else 'FAIL'}\n{step.detail}")
            if not step.ok or step.name == "copy" and step.detail:
                self.stdout.write(f"        {step.detail}".replace("\n", "\n        "))

        engine, engine_note = engine_for(runtime)
        if engine_note:
            self.stdout.write(f"  {engine_note}")
            log.add(f"rehearsal engine: {engine_note}")
        from simple_deploy.rehearsal.postgres import NoDatabase, opened

        try:
            with opened(database) as (database_url, described, workdir):
                self.stdout.write(f"  Database: {described}")
                log.add(f"rehearsal database: {described}")
                report = rehearse(
                    project.git_root,
                    project.manage_dir_rel,
                    manager,
                    runtime,
                    database_url=database_url,
                    on_step=show,
                    extra_env=extra_env,
                    engine=engine,
                    workdir=workdir,
                    limits=limits,
                    redis_choice=redis_choice,
                )
        except NoDatabase as exc:
            log.add(f"stopped: {exc}")
            raise CommandError(f"{exc}\n{_saved(log, project.git_root)}") from exc
        except RehearsalInterrupted as stopped:
            log.add(f"rehearsal interrupted during {stopped.step}")
            log.save(project.git_root)
            raise
        log.save(project.git_root)
        total = sum(step.seconds for step in report.steps)
        if not report.ok:
            # The cause inspection already knows (a git-ignored file the commit lacks)
            # is said once more here, where the user looks.
            lacking = ignored_needed_message(project)
            raise CommandError(
                f"The rehearsal failed after {total:.1f} s; see the step marked FAIL above."
                + (f"\n{lacking}" if lacking else "")
            )
        self.stdout.write(self.style.SUCCESS(f"Rehearsal passed. {total:.1f} s in all."))
