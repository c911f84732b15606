# secrets — the Secret Service (libsecret: GNOME Keyring, KeePassXC,
# KWallet's secret service), for programs that store passwords.
#
# Opens: the org.freedesktop.secrets name on the session bus. Whoever can
# talk to it can read every unlocked item of the user's keyrings: give it
# only to programs that need the user's secrets.
include abstractions/dbus-session
dbus session talk org.freedesktop.secrets
