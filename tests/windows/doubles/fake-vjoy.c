/*
 * A fake vJoyInterface.dll for the Windows tests: the SDK's functions with their exact C
 * signatures (vjoyinterface.h: __cdecl, BOOL = 32-bit int, SetAxis(LONG, UINT rID, UINT axis)
 * with HID usages 0x30…, SetBtn(BOOL, UINT rID, UCHAR nBtn), VjdStat values), following its rules:
 * only the owner may write; AcquireVJD and ResetVJD centre X/Y/Z (0x4000) and release the
 * buttons; RelinquishVJD keeps the axes where they are; a device whose owner died is free again.
 *
 * One device (id 1; FAKE_VJOY_DEVICE=missing makes it absent). Its state is in the file
 * FAKE_VJOY_STATE (fake-vjoy.h), shared by every process. Every call is appended to FAKE_VJOY_LOG
 * as "<ms> <pid> Name(args) = result"; a call outside the contract — a BOOL argument that is not
 * 0 or 1, an unknown axis, an id out of 1…16, a value out of range — also gets a line "BAD …" and
 * counts in badCalls. FAKE_VJOY_DISABLED=1: the driver is not enabled.
 */
#include <windows.h>
#include <stdio.h>
#include <stdarg.h>
#include "fake-vjoy.h"

#define API __declspec(dllexport)
enum VjdStat { VJD_STAT_OWN, VJD_STAT_FREE, VJD_STAT_BUSY, VJD_STAT_MISS, VJD_STAT_UNKN };

static HANDLE stateFile = INVALID_HANDLE_VALUE;
static HANDLE logFile = INVALID_HANDLE_VALUE;
static HANDLE lock;
static FakeVJoyState memoryState; /* without FAKE_VJOY_STATE */
static int opened;

static void openFiles(void) {
	char path[MAX_PATH];
	if (opened) return;
	opened = 1;
	lock = CreateMutexW(NULL, FALSE, L"Local\\pitwall_fake_vjoy");
	if (GetEnvironmentVariableA("FAKE_VJOY_STATE", path, sizeof path))
		stateFile = CreateFileA(path, GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS, 0, NULL);
	if (GetEnvironmentVariableA("FAKE_VJOY_LOG", path, sizeof path))
		logFile = CreateFileA(path, FILE_APPEND_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL, OPEN_ALWAYS, 0, NULL);
}

static void logLine(const char *format, ...) {
	char line[256];
	int n = snprintf(line, sizeof line, "%lu %lu ", (unsigned long)GetTickCount(), (unsigned long)GetCurrentProcessId());
	va_list args;
	va_start(args, format);
	n += vsnprintf(line + n, sizeof line - n - 1, format, args);
	va_end(args);
	if (n > (int)sizeof line - 2) n = sizeof line - 2;
	line[n++] = '\n';
	DWORD written;
	if (logFile != INVALID_HANDLE_VALUE) WriteFile(logFile, line, n, &written, NULL);
}

static FakeVJoyState load(void) {
	FakeVJoyState s;
	DWORD got = 0;
	if (stateFile == INVALID_HANDLE_VALUE) return memoryState;
	SetFilePointer(stateFile, 0, NULL, FILE_BEGIN);
	if (!ReadFile(stateFile, &s, sizeof s, &got, NULL) || got != sizeof s || s.magic != FAKE_VJOY_MAGIC) {
		ZeroMemory(&s, sizeof s);
		s.magic = FAKE_VJOY_MAGIC;
		for (int i = 0; i < 3; i++) s.axes[i] = 0x4000;
	}
	return s;
}

static void store(FakeVJoyState *s) {
	DWORD written;
	s->writes++;
	if (stateFile == INVALID_HANDLE_VALUE) {
		memoryState = *s;
		return;
	}
	SetFilePointer(stateFile, 0, NULL, FILE_BEGIN);
	WriteFile(stateFile, s, sizeof *s, &written, NULL);
}

/* Every entry point: lock, load the shared state; done() stores it (when changed) and unlocks. */
static FakeVJoyState begin(void) {
	openFiles();
	WaitForSingleObject(lock, INFINITE);
	return load();
}
static void done(FakeVJoyState *s, int changed) {
	if (changed) store(s);
	ReleaseMutex(lock);
}

static void bad(FakeVJoyState *s, const char *what, long long value) {
	s->badCalls++;
	logLine("BAD %s: 0x%llx", what, value);
}

static int envIs(const char *name, const char *value) {
	char text[32];
	return GetEnvironmentVariableA(name, text, sizeof text) && lstrcmpiA(text, value) == 0;
}

static int ownerAlive(int pid) {
	if (pid == 0) return 0;
	if ((DWORD)pid == GetCurrentProcessId()) return 1;
	HANDLE h = OpenProcess(SYNCHRONIZE, FALSE, (DWORD)pid);
	if (!h) return 0;
	int alive = WaitForSingleObject(h, 0) == WAIT_TIMEOUT;
	CloseHandle(h);
	return alive;
}

static enum VjdStat status(FakeVJoyState *s, UINT rID, int *changed) {
	if (rID != 1 || envIs("FAKE_VJOY_DEVICE", "missing")) return VJD_STAT_MISS;
	if (envIs("FAKE_VJOY_DEVICE", "busy")) return VJD_STAT_BUSY;
	if (s->owner && !ownerAlive(s->owner)) {
		s->owner = 0; /* the driver frees a dead owner's device; its axes stay */
		*changed = 1;
	}
	if (s->owner == 0) return VJD_STAT_FREE;
	return (DWORD)s->owner == GetCurrentProcessId() ? VJD_STAT_OWN : VJD_STAT_BUSY;
}

static void checkId(FakeVJoyState *s, const char *fn, UINT rID) {
	if (rID < 1 || rID > 16) bad(s, fn, rID);
}

static void centre(FakeVJoyState *s) {
	for (int i = 0; i < FAKE_VJOY_AXES; i++) s->axes[i] = i < 3 ? 0x4000 : 0;
	s->buttons = 0;
}

API SHORT __cdecl GetvJoyVersion(void) {
	openFiles();
	logLine("GetvJoyVersion() = 0x219");
	return 0x219;
}

API BOOL __cdecl vJoyEnabled(void) {
	openFiles();
	BOOL on = !envIs("FAKE_VJOY_DISABLED", "1");
	logLine("vJoyEnabled() = %d", on);
	return on;
}

API BOOL __cdecl DriverMatch(WORD *dllVer, WORD *drvVer) {
	openFiles();
	if (dllVer) *dllVer = 0x219;
	if (drvVer) *drvVer = 0x219;
	logLine("DriverMatch() = 1");
	return TRUE;
}

API int __cdecl GetVJDStatus(UINT rID) {
	FakeVJoyState s = begin();
	int changed = 0;
	checkId(&s, "GetVJDStatus rID", rID);
	enum VjdStat st = status(&s, rID, &changed);
	logLine("GetVJDStatus(%u) = %d", rID, st);
	done(&s, 1);
	return st;
}

API BOOL __cdecl isVJDExists(UINT rID) {
	FakeVJoyState s = begin();
	int changed = 0;
	BOOL exists = status(&s, rID, &changed) != VJD_STAT_MISS;
	logLine("isVJDExists(%u) = %d", rID, exists);
	done(&s, changed);
	return exists;
}

API int __cdecl GetOwnerPid(UINT rID) {
	FakeVJoyState s = begin();
	int changed = 0;
	status(&s, rID, &changed);
	logLine("GetOwnerPid(%u) = %d", rID, s.owner);
	done(&s, changed);
	return s.owner;
}

API BOOL __cdecl GetVJDAxisExist(UINT rID, UINT axis) {
	FakeVJoyState s = begin();
	BOOL exists = rID == 1 && (axis == 0x30 || axis == 0x31 || axis == 0x32 || axis == 0x35);
	logLine("GetVJDAxisExist(%u, 0x%x) = %d", rID, axis, exists);
	done(&s, 0);
	return exists;
}

API int __cdecl GetVJDButtonNumber(UINT rID) {
	FakeVJoyState s = begin();
	int n = rID == 1 ? 12 : 0;
	logLine("GetVJDButtonNumber(%u) = %d", rID, n);
	done(&s, 0);
	return n;
}

API BOOL __cdecl AcquireVJD(UINT rID) {
	FakeVJoyState s = begin();
	int changed = 0;
	checkId(&s, "AcquireVJD rID", rID);
	enum VjdStat st = status(&s, rID, &changed);
	BOOL ok = st == VJD_STAT_OWN || st == VJD_STAT_FREE;
	if (st == VJD_STAT_FREE) {
		s.owner = (int32_t)GetCurrentProcessId();
		centre(&s); /* acquiring resets the device: X/Y/Z at their centre */
		changed = 1;
	}
	logLine("AcquireVJD(%u) = %d", rID, ok);
	done(&s, 1);
	return ok;
}

API VOID __cdecl RelinquishVJD(UINT rID) {
	FakeVJoyState s = begin();
	checkId(&s, "RelinquishVJD rID", rID);
	if (rID == 1 && (DWORD)s.owner == GetCurrentProcessId()) s.owner = 0;
	logLine("RelinquishVJD(%u)", rID);
	done(&s, 1);
}

API BOOL __cdecl ResetVJD(UINT rID) {
	FakeVJoyState s = begin();
	int changed = 0;
	checkId(&s, "ResetVJD rID", rID);
	BOOL ok = status(&s, rID, &changed) == VJD_STAT_OWN;
	if (ok) centre(&s);
	logLine("ResetVJD(%u) = %d", rID, ok);
	done(&s, 1);
	return ok;
}

API VOID __cdecl ResetAll(void) {
	FakeVJoyState s = begin();
	int changed = 0;
	if (status(&s, 1, &changed) == VJD_STAT_OWN) centre(&s);
	logLine("ResetAll()");
	done(&s, 1);
}

API BOOL __cdecl ResetButtons(UINT rID) {
	FakeVJoyState s = begin();
	int changed = 0;
	checkId(&s, "ResetButtons rID", rID);
	BOOL ok = status(&s, rID, &changed) == VJD_STAT_OWN;
	if (ok) s.buttons = 0;
	logLine("ResetButtons(%u) = %d", rID, ok);
	done(&s, 1);
	return ok;
}

API BOOL __cdecl ResetPovs(UINT rID) {
	FakeVJoyState s = begin();
	int changed = 0;
	BOOL ok = status(&s, rID, &changed) == VJD_STAT_OWN;
	logLine("ResetPovs(%u) = %d", rID, ok);
	done(&s, changed);
	return ok;
}

API BOOL __cdecl SetAxis(LONG value, UINT rID, UINT axis) {
	FakeVJoyState s = begin();
	int changed = 0;
	checkId(&s, "SetAxis rID", rID);
	if (axis < 0x30 || axis > 0x37) bad(&s, "SetAxis axis (HID usage 0x30…0x37)", axis);
	if (value < 0 || value > 0x8000) bad(&s, "SetAxis value (0…0x8000)", value);
	BOOL ok = status(&s, rID, &changed) == VJD_STAT_OWN && axis >= 0x30 && axis <= 0x37;
	if (ok) s.axes[axis - 0x30] = value;
	logLine("SetAxis(0x%lx, %u, 0x%x) = %d", (long)value, rID, axis, ok);
	done(&s, 1);
	return ok;
}

API BOOL __cdecl SetBtn(BOOL value, UINT rID, UCHAR nBtn) {
	FakeVJoyState s = begin();
	int changed = 0;
	checkId(&s, "SetBtn rID", rID);
	if (value != 0 && value != 1) bad(&s, "SetBtn BOOL Value is not 0 or 1", (unsigned)value);
	if (nBtn < 1 || nBtn > 128) bad(&s, "SetBtn nBtn (1…128)", nBtn);
	BOOL ok = status(&s, rID, &changed) == VJD_STAT_OWN && nBtn >= 1 && nBtn <= 128;
	if (ok && nBtn <= 32) {
		if (value) s.buttons |= 1u << (nBtn - 1);
		else s.buttons &= ~(1u << (nBtn - 1));
	}
	logLine("SetBtn(0x%x, %u, %u) = %d", (unsigned)value, rID, nBtn, ok);
	done(&s, 1);
	return ok;
}

BOOL WINAPI DllMain(HINSTANCE dll, DWORD reason, LPVOID reserved) {
	(void)dll;
	(void)reserved;
	if (reason == DLL_PROCESS_DETACH) {
		if (stateFile != INVALID_HANDLE_VALUE) CloseHandle(stateFile);
		if (logFile != INVALID_HANDLE_VALUE) CloseHandle(logFile);
	}
	return TRUE;
}
