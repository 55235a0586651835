"""Whole-database backup and restore: pg_dump/pg_restore (custom format) on PostgreSQL, SQLite's
online backup API on SQLite. Both work while the application runs: pg_dump reads one snapshot,
and SQLite's backup copies pages consistently while others read and write."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path
from typing import Any

from django.db import connections

PG_MAGIC = b"PGDMP"
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """A message for the operator, in Japanese."""


def _pg_env(cfg: dict[str, Any]) -> tuple[list[str], dict[str, str]]:
    args = ["--host", str(cfg.get("HOST") or "127.0.0.1"), "--port", str(cfg.get("PORT") or 5432)]
    if cfg.get("USER"):
        args += ["--username", str(cfg["USER"])]
    env = dict(os.environ)
    if cfg.get("PASSWORD"):
        env["PGPASSWORD"] = str(cfg["PASSWORD"])  # never on the command line, where `ps` shows it
    return args, env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(f"{name} が見つかりません。PostgreSQL のクライアント（postgresql-client）を入れてください。")
    return found


def _run(command: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} が失敗しました: {result.stderr.strip()[-500:]}")


def backup(output: Path, alias: str = "default") -> None:
    """Write the whole database `alias` to `output` (a new file, written beside it then renamed)."""
    connection = connections[alias]
    partial = output.with_name(output.name + ".partial")
    if connection.vendor == "postgresql":
        args, env = _pg_env(connection.settings_dict)
        _run([_tool("pg_dump"), *args, "--format=custom", "--no-owner", "--file", str(partial),
              str(connection.settings_dict["NAME"])], env)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(partial)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"{connection.vendor} のバックアップには対応していません。")
    partial.replace(output)  # a crash mid-way never leaves a truncated file under the real name


def restore(source: Path, alias: str = "default") -> None:
    """Replace the contents of database `alias` with the backup `source`."""
    if not source.is_file():
        raise BackupError(f"バックアップファイル {source} がありません。")
    with source.open("rb") as f:
        head = f.read(16)
    connection = connections[alias]
    if connection.vendor == "postgresql":
        if not head.startswith(PG_MAGIC):
            raise BackupError(f"{source} は pg_dump のカスタム形式のバックアップではありません。")
        connection.close()  # our own idle connection must not hold locks on the tables being replaced
        args, env = _pg_env(connection.settings_dict)
        # One transaction: a restore that fails half-way leaves the database as it was.
        _run([_tool("pg_restore"), *args, "--clean", "--if-exists", "--no-owner", "--single-transaction",
              "--exit-on-error", "--dbname", str(connection.settings_dict["NAME"]), str(source)], env)
    elif connection.vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{source} は SQLite のデータベースファイルではありません。")
        connection.ensure_connection()
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        try:
            backup_db.backup(connection.connection)
        finally:
            backup_db.close()
    else:
        raise BackupError(f"{connection.vendor} の復元には対応していません。")
