"""Firm mode's sign-in, matter membership and server check, for the CLI and the window.

Single-user mode (SQLite in the data directory) has no accounts and no walls. On the firm
workspace every Countersign signs in; the account's wall then filters every store (see
agents/runtime/walls.py), and who may see a matter is changed here, by a member of the matter
or an administrator, with an audit entry for each change."""
from __future__ import annotations

from agents.review.accounts import Account, AccountStore, SignInRefused
from agents.review.audit_log import AuditLog
from agents.review.transaction import Transaction
from agents.runtime.clock import utc_now
from agents.runtime.walls import Wall

USER_PASSWORD_ENV = "COUNTERSIGN_USER_PASSWORD"


class SignInRequired(PermissionError):
    pass


def signed_in(db, user: str, password: str) -> tuple[str, Wall | None]:
    """(account name, its wall) on the firm workspace; ("", None) in single-user mode."""
    if db.dialect != "postgresql":
        return "", None
    accounts = AccountStore(db)
    if not user:
        raise SignInRequired("the firm workspace needs you to sign in: give your account name (--user NAME) and its "
                             f"password (asked for, or ${USER_PASSWORD_ENV})" if accounts.count() else
                             "the firm workspace has no accounts yet: IT creates the first with "
                             "`countersign account add NAME --admin`")
    account = accounts.sign_in(user, password)
    audit = AuditLog(db)

    def record(actor: str, action: str, subject: str, **detail) -> None:
        if db.in_transaction:  # the change it records is in this transaction
            audit.append(actor, action, subject, **detail)
        else:
            with Transaction(db):
                audit.append(actor, action, subject, **detail)

    return account.name, Wall(db, account.name, record)


class WallsFacade:
    """Needs `self._db`, `self.user`, `self.wall` and `self.library` from Countersign."""

    def _account(self) -> Account:
        if self.wall is None:
            raise ValueError("accounts and walls are for firm mode (a workspace_url); single-user mode has neither")
        return next(a for a in AccountStore(self._db).list() if a.name.casefold() == self.user.casefold())

    def check_servers(self, **typed: str) -> list:
        """`countersign server check` for the Settings window: the firm servers these settings name,
        with `typed` (e.g. workspace_url) in place of the saved values, so they are tried before saving."""
        from agents.services.server_check import check

        return check(self.settings.model_copy(update=typed))

    def matter_members(self, matter: str) -> list[str]:
        m = self.library.matter(matter)  # walled: "no matter named ..."
        return self.wall.members(m.id) if self.wall else []

    def grant_access(self, matter: str, account: str) -> list[str]:
        """Let `account` see the matter. A member of the matter or an administrator may."""
        return self._change_access(matter, account, grant=True)

    def revoke_access(self, matter: str, account: str) -> list[str]:
        return self._change_access(matter, account, grant=False)

    def _change_access(self, matter: str, account: str, grant: bool) -> list[str]:
        me = self._account()
        row = self._db.execute("SELECT id FROM matters WHERE id = ? OR name = ?", (matter, matter)).fetchone()
        if row is None or not (me.admin or self.wall.allows(row[0])):
            self.library.matter(matter)  # raises "no matter named ...", auditing the refusal
        names = {a.name.casefold(): a.name for a in AccountStore(self._db).list()}
        if account.casefold() not in names:
            raise LookupError(f"no account named '{account}' (see `countersign account list`)")
        with Transaction(self._db):
            if grant:
                self.wall.add_member(row[0], names[account.casefold()], me.name, utc_now())
            else:
                self.wall.remove_member(row[0], names[account.casefold()], me.name)
        return self.wall.members(row[0])


__all__ = ["SignInRefused", "SignInRequired", "USER_PASSWORD_ENV", "WallsFacade", "signed_in"]
