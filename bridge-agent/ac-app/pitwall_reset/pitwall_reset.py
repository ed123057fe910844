# pitwall reset: an Assetto Corsa Python app that resets the car through Custom Shaders Patch
# (ac.ext_resetCar) when the pitwall bridge-agent asks. Install: copy the pitwall_reset folder to
# assettocorsa/apps/python/ and enable it (Content Manager: Settings > Assetto Corsa > Python apps,
# or AC: Options > General > UI Modules).
#
# The channel (the agent's sources/reset-channel.ts writes the other side), in
# Documents/Assetto Corsa/pitwall/:
#   reset-request   "<seq>": the agent wants reset number <seq>
#   reset-response  "<seq> ok", or "<seq> error <why>" (e.g. no CSP): what the app did with <seq>
# The request is checked every frame (acUpdate): its modification time first, its contents when
# that changed. A request already there when the app starts is not acted on (an old session's).
import os

import ac

APP = "pitwall reset"
CSIDL_PERSONAL = 5

label = None
last_seq = None
last_mtime = None
# A response written but not yet in place: Windows refuses to replace a file another process has
# open (the agent reading the old response), so it is tried again the next frame.
pending = None


def documents():
    # AC keeps "Assetto Corsa" in the shell's Documents folder (which may be moved, e.g. to OneDrive).
    try:
        import ctypes

        buf = ctypes.create_unicode_buffer(1024)
        if ctypes.windll.shell32.SHGetFolderPathW(0, CSIDL_PERSONAL, 0, 0, buf) == 0:
            return buf.value
    except Exception:
        pass
    return os.path.join(os.path.expanduser("~"), "Documents")


CHANNEL = os.path.join(documents(), "Assetto Corsa", "pitwall")
REQUEST = os.path.join(CHANNEL, "reset-request")
RESPONSE = os.path.join(CHANNEL, "reset-response")


def read_request():
    try:
        with open(REQUEST, "r") as f:
            text = f.read().strip()
        return int(text.split()[0]) if text else None
    except (IOError, OSError, ValueError, IndexError):
        return None


def respond(seq, what):
    global pending
    tmp = RESPONSE + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d %s\n" % (seq, what))
    pending = tmp
    put_response()


def put_response():
    global pending
    try:
        os.replace(pending, RESPONSE)  # the agent never sees half a line
        pending = None
    except OSError:
        pass  # the agent has the old response open: next frame


def show(text):
    if label is not None:
        ac.setText(label, text)


def acMain(ac_version):
    global label, last_seq
    window = ac.newApp(APP)
    ac.setSize(window, 240, 60)
    label = ac.addLabel(window, "")
    ac.setPosition(label, 10, 30)
    try:
        os.makedirs(CHANNEL)
    except OSError:
        pass
    last_seq = read_request()
    show("ready (CSP reset %s)" % ("available" if hasattr(ac, "ext_resetCar") else "MISSING"))
    ac.log("pitwall reset: watching %s" % REQUEST)
    return APP


def acUpdate(delta_t):
    global last_seq, last_mtime
    if pending is not None:
        put_response()
    try:
        mtime = os.path.getmtime(REQUEST)
    except OSError:
        return
    if mtime == last_mtime:
        return
    last_mtime = mtime
    seq = read_request()
    if seq is None or seq == last_seq:
        return
    last_seq = seq
    try:
        if not hasattr(ac, "ext_resetCar"):
            respond(seq, "error ac.ext_resetCar is missing: install Custom Shaders Patch (CSP)")
            show("request %d: no CSP" % seq)
            return
        ac.ext_resetCar()
        respond(seq, "ok")
        show("reset %d done" % seq)
    except Exception as e:
        try:
            respond(seq, "error %s" % str(e).replace("\n", " "))
        except Exception:
            pass
        show("request %d failed" % seq)
