"""The facts that differ between Platform.sh (Upsun Fixed) and Upsun (Flex).

Sources: platformsh/cli `internal/config/platformsh-cli.yaml` and
`internal/config/upsun-cli.yaml` (executable, env_prefix, project_config_dir,
detection.git_remote_name), and each product's documentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Flavor:
    """- `name`: the plugin (`--platform` value, settings-block name).
    - `label`: how customers know the product.
    - `cli`: the executable; `token_var` the API-token variable it reads.
    - `config_dir`: where the CLI keeps its link (`<config_dir>/local/project.yaml`).
    - `remote`: the git remote the CLI adds (`detection.git_remote_name`).
    - `region`: the default region; `org_option`: our option naming the organization.
    - `docs`: the documentation root; `costs`: what a project costs, in one sentence;
      `redis_cost`: what the Redis service the configuration declares adds to it.
    - `app_file`, `routes_file`: where the app and its routes are configured.
    - `push_resources`: Flex sizes containers per environment (`resources:set`).
    """

    name: str
    label: str
    cli: str
    token_var: str
    config_dir: str
    remote: str
    region: str
    org_option: str
    docs: str
    install_url: str
    costs: str
    django_guide: str
    app_file: str
    routes_file: str
    push_resources: bool = False
    redis_cost: str = ""

    def configured_in(self, git_root: Path) -> list[str]:
        """This product's configuration files in git_root (the CLI's own link folder,
        `<config_dir>/local`, is not configuration: both CLIs may have linked a repository)."""
        files = [git_root / self.app_file.split(" ")[0]]
        folder = git_root / self.config_dir
        if folder.is_dir():
            files += [p for p in folder.iterdir() if p.name != "local"]
        found = {p.relative_to(git_root).as_posix() for p in files if p.exists()}
        return sorted(found)

    @property
    def link_file(self) -> str:
        return f"{self.config_dir}/local/project.yaml"

    @property
    def org_flag(self) -> str:
        return "--" + self.org_option.replace("_", "-")


FIXED = Flavor(
    name="platform_sh",
    label="Platform.sh",
    cli="platform",
    token_var="PLATFORMSH_CLI_TOKEN",
    config_dir=".platform",
    remote="platform",
    region="eu-3.platform.sh",
    org_option="platform_sh_org",
    docs="https://docs.platform.sh",
    install_url="https://docs.platform.sh/administration/cli.html",
    costs=(
        "A Platform.sh project is billed monthly once any free trial ends (the PostgreSQL "
        "service is part of the project's plan, not billed separately; "
        "https://platform.sh/pricing/); delete the project in the Console to stop the charges."
    ),
    django_guide="https://docs.platform.sh/guides/django/deploy/configure.html",
    app_file=".platform.app.yaml",
    routes_file=".platform/routes.yaml",
    # Services share the plan's CPU and memory (docs.platform.sh/add-services.html).
    redis_cost="part of the project's plan, not billed separately; it takes a share of "
    "the plan's CPU and memory and 256 MB of its disk",
)

FLEX = Flavor(
    name="upsun",
    label="Upsun",
    cli="upsun",
    token_var="UPSUN_CLI_TOKEN",
    config_dir=".upsun",
    remote="upsun",
    region="eu-5.platform.sh",
    org_option="upsun_org",
    docs="https://docs.upsun.com",
    install_url="https://docs.upsun.com/administration/cli.html",
    costs=(
        "Upsun bills each project monthly by the resources its environments use (CPU, "
        "memory and disk of the app and the PostgreSQL service, sized with `upsun "
        "resources:set`) plus a per-project fee, once any free trial ends "
        "(https://upsun.com/pricing); delete the project in the Console to stop the charges."
    ),
    django_guide="https://docs.upsun.com/get-started/stacks/django.html",
    # Each service is a container billed by its resources (docs.upsun.com/manage-resources).
    redis_cost="billed like the app's containers, by the CPU, memory and disk it is given "
    "(`upsun resources:set`)",
    app_file=".upsun/config.yaml",
    routes_file=".upsun/config.yaml (routes:)",
    push_resources=True,
)
