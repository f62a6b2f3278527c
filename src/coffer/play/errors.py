"""The player app's token errors (SPEC §3, §11); their statuses are in ``kit.errors``."""

from coffer.kit.errors import AuthError, Conflict


class LaunchTokenInvalid(AuthError):
    code = "LAUNCH_TOKEN_INVALID"
    default_message = (
        "This launch token is unknown or was altered; ask the casino to mint a new launch."
    )


class LaunchTokenExpired(AuthError):
    code = "LAUNCH_TOKEN_EXPIRED"
    default_message = (
        "This launch token is older than 60 seconds; ask the casino to mint a new launch."
    )


class LaunchTokenConsumed(Conflict):
    code = "LAUNCH_TOKEN_CONSUMED"
    default_message = (
        "This launch token was already used to start a session; a launch starts one session."
    )


class SessionInvalid(AuthError):
    code = "SESSION_INVALID"
    default_message = (
        "Send 'Authorization: Bearer <sessionToken>' with the token session/init returned; "
        "this one is unknown or was logged out."
    )


class SessionExpired(AuthError):
    code = "SESSION_EXPIRED"
    default_message = "This session expired; reopen the game from the casino to start a new one."
