/*
 * A fake Assetto Corsa for the Windows tests. It creates Local\acpmf_physics, _graphics and
 * _static as AC does (CreateFileMappingW on the paging file, all three 592 bytes long; 684 bytes
 * written into the static view, which the page rounding holds), and fills them from the simulated
 * car that `bridge-agent sim-host` publishes as files (read through Wine's Z: drive): each page
 * copied when its packetId moved, body first and packetId last. It reads the fake vJoy device's
 * state (fake-vjoy.h) as a game reads its joystick and hands axes and buttons to the sim host's
 * joystick file, so what the agent writes to vJoy drives the car.
 *
 *   fake-ac.exe <pages dir> <prefix> <command file> <vjoy state file> [smVersion]
 *
 * The command file holds one word, read every 20 ms: LIVE (default), PAUSE (physics frozen,
 * status PAUSE), REPLAY (physics frozen, status REPLAY), OFF (both pages frozen, status OFF) or
 * QUIT (unmap, close, exit 0: pages another process holds stay, frozen, as on Windows). While not
 * LIVE the game ignores the joystick; "LIVE UNBOUND" is a game whose controls are not bound to vJoy. smVersion overrides the static page's (e.g. an ACC value).
 * It says what it does on stdout, one line per change.
 *
 * It also plays the in-game reset app (bridge-agent/ac-app/pitwall_reset) with CSP: it watches
 * <Documents>\Assetto Corsa\pitwall\reset-request (SHGetFolderPath, as the app) and, when its
 * sequence number changes, restarts the car as the restart buttons do (restart race, then start
 * race, each held 60 ms on the sim host's joystick) and writes "<seq> ok" to reset-response. A
 * request already there at start is not acted on. "NOAPP" in the command word: no app installed
 * (requests go unanswered); "NOCSP": the app without CSP (it answers "<seq> error …").
 */
#include <windows.h>
#include <shlobj.h>
#include <stdio.h>
#include <string.h>
#include "fake-vjoy.h"

#define MAPPING_BYTES 592 /* AC creates all three mappings 0x250 bytes long */
#define MAX_PAGE 1024
enum { PHYSICS, GRAPHICS, STATIC, PAGES };
static const wchar_t *MAP_NAMES[PAGES] = { L"Local\\acpmf_physics", L"Local\\acpmf_graphics", L"Local\\acpmf_static" };
static const char *FILE_NAMES[PAGES] = { "physics", "graphics", "static" };
enum Mode { OFF = 0, REPLAY = 1, LIVE = 2, PAUSE = 3, QUIT = 4 };
static const char *MODE_NAMES[] = { "OFF", "REPLAY", "LIVE", "PAUSE", "QUIT" };

static int readFile(const char *path, unsigned char *into, int max) {
	HANDLE h = CreateFileA(path, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0, NULL);
	if (h == INVALID_HANDLE_VALUE) return -1;
	DWORD got = 0;
	BOOL ok = ReadFile(h, into, max, &got, NULL);
	CloseHandle(h);
	return ok ? (int)got : -1;
}

/* A coherent copy of a sim-host page: its writer marks a page being written with packetId −1. */
static int readPage(const char *path, unsigned char *into) {
	unsigned char again[4];
	for (int attempt = 0; attempt < 20; attempt++) {
		int n = readFile(path, into, MAX_PAGE);
		if (n < 4) return -1;
		if (readFile(path, again, 4) != 4) return -1;
		if (*(int32_t *)into != -1 && memcmp(into, again, 4) == 0) return n;
	}
	return -1;
}

static void writeFileAt0(const char *path, const void *bytes, DWORD n) {
	HANDLE h = CreateFileA(path, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0, NULL);
	if (h == INVALID_HANDLE_VALUE) return;
	DWORD written;
	WriteFile(h, bytes, n, &written, NULL);
	CloseHandle(h);
}

/* The reset app's channel: <Documents>\Assetto Corsa\pitwall\reset-request|response. */
static wchar_t requestPath[MAX_PATH], responsePath[MAX_PATH], responseTmp[MAX_PATH];

static void channelPaths(void) {
	wchar_t docs[MAX_PATH];
	if (SHGetFolderPathW(NULL, CSIDL_PERSONAL, NULL, 0, docs) != S_OK) wcscpy(docs, L"C:\\");
	swprintf(requestPath, MAX_PATH, L"%ls\\Assetto Corsa\\pitwall\\reset-request", docs);
	swprintf(responsePath, MAX_PATH, L"%ls\\Assetto Corsa\\pitwall\\reset-response", docs);
	swprintf(responseTmp, MAX_PATH, L"%ls.tmp", responsePath);
}

/* The request's sequence number, or -1. */
static long readRequest(void) {
	HANDLE h = CreateFileW(requestPath, GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, NULL, OPEN_EXISTING, 0, NULL);
	if (h == INVALID_HANDLE_VALUE) return -1;
	char text[32] = { 0 };
	DWORD got = 0;
	BOOL ok = ReadFile(h, text, sizeof text - 1, &got, NULL);
	CloseHandle(h);
	return ok && got > 0 && text[0] >= '0' && text[0] <= '9' ? strtol(text, NULL, 10) : -1;
}

static void respond(long seq, const char *what) {
	char line[160];
	int n = snprintf(line, sizeof line, "%ld %s\n", seq, what);
	HANDLE h = CreateFileW(responseTmp, GENERIC_WRITE, 0, NULL, CREATE_ALWAYS, 0, NULL);
	if (h == INVALID_HANDLE_VALUE) return;
	DWORD written;
	WriteFile(h, line, n, &written, NULL);
	CloseHandle(h);
	/* The agent may have the old response open for a moment (Windows refuses to replace an open
	   file): try again for up to ~100 ms, as the real app tries again the next frame. */
	for (int tries = 0; !MoveFileExW(responseTmp, responsePath, MOVEFILE_REPLACE_EXISTING); tries++) {
		if (tries == 50) {
			printf("fake-ac: reset-response not replaced (%lu)\n", GetLastError());
			return;
		}
		Sleep(2);
	}
}

/* Body first, packetId last, as a writer that readers check by packetId should. */
static void publish(volatile unsigned char *view, const unsigned char *page, int n) {
	memcpy((void *)(view + 4), page + 4, n - 4);
	MemoryBarrier();
	*(volatile int32_t *)view = *(const int32_t *)page;
}

int main(int argc, char **argv) {
	if (argc < 5) {
		fprintf(stderr, "usage: fake-ac.exe <pages dir> <prefix> <command file> <vjoy state file> [smVersion]\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	char pagePaths[PAGES][MAX_PATH], controlPath[MAX_PATH];
	for (int p = 0; p < PAGES; p++) snprintf(pagePaths[p], MAX_PATH, "%s\\%s-%s", argv[1], argv[2], FILE_NAMES[p]);
	snprintf(controlPath, MAX_PATH, "%s\\%s-controls", argv[1], argv[2]);
	const char *commandPath = argv[3], *vjoyPath = argv[4], *smVersion = argc > 5 ? argv[5] : NULL;

	HANDLE maps[PAGES];
	volatile unsigned char *views[PAGES];
	for (int p = 0; p < PAGES; p++) {
		maps[p] = CreateFileMappingW(INVALID_HANDLE_VALUE, NULL, PAGE_READWRITE, 0, MAPPING_BYTES, MAP_NAMES[p]);
		DWORD error = GetLastError();
		if (!maps[p]) {
			printf("fake-ac: CreateFileMappingW %ls failed (%lu)\n", MAP_NAMES[p], error);
			return 1;
		}
		views[p] = MapViewOfFile(maps[p], FILE_MAP_ALL_ACCESS, 0, 0, 0);
		if (!views[p]) {
			printf("fake-ac: MapViewOfFile %ls failed (%lu)\n", MAP_NAMES[p], GetLastError());
			return 1;
		}
		printf("fake-ac: %ls %s\n", MAP_NAMES[p], error == ERROR_ALREADY_EXISTS ? "reused (another process held it)" : "created");
	}

	unsigned char page[MAX_PAGE];
	int32_t lastId[PAGES] = { -2, -2, -2 };
	enum Mode mode = LIVE, shown = QUIT;
	int32_t seq = 0;
	int unbound = 0, shownUnbound = 0, noApp = 0, noCsp = 0;
	channelPaths();
	long handledSeq = readRequest(), resetSeq = -1;
	ULONGLONG resetStarted = 0;
	printf("fake-ac: reset app watching %ls\n", requestPath);
	for (unsigned loop = 0;; loop++) {
		if (loop % 20 == 0) {
			char word[16] = { 0 };
			int n = readFile(commandPath, (unsigned char *)word, sizeof word - 1);
			if (n > 0)
				for (int m = OFF; m <= QUIT; m++)
					if (strncmp(word, MODE_NAMES[m], strlen(MODE_NAMES[m])) == 0) mode = (enum Mode)m;
			if (n > 0) {
				unbound = strstr(word, "UNBOUND") != NULL;
				noApp = strstr(word, "NOAPP") != NULL;
				noCsp = strstr(word, "NOCSP") != NULL;
			}
			if (mode != shown || unbound != shownUnbound) {
				printf("fake-ac: %s%s\n", MODE_NAMES[mode], unbound ? " (joystick not bound)" : "");
				shown = mode;
				shownUnbound = unbound;
			}
			if (mode == QUIT) break;
			int n2 = readPage(pagePaths[STATIC], page);
			if (n2 > 0) {
				if (smVersion) {
					memset(page, 0, 30);
					for (int i = 0; smVersion[i] && i < 14; i++) page[2 * i] = (unsigned char)smVersion[i];
				}
				memcpy((void *)views[STATIC], page, n2);
			}
		}
		for (int p = PHYSICS; p <= GRAPHICS; p++) {
			if (mode == OFF || (p == PHYSICS && mode != LIVE)) continue; /* the game does not step physics */
			int n = readPage(pagePaths[p], page);
			if (n < 8 || *(int32_t *)page == lastId[p]) continue;
			lastId[p] = *(int32_t *)page;
			if (p == GRAPHICS) *(int32_t *)(page + 4) = mode; /* status */
			publish(views[p], page, n > 4096 ? 4096 : n);
		}
		if (mode == OFF) /* status OFF reaches the page once, then nothing moves */
			*(volatile int32_t *)(views[GRAPHICS] + 4) = OFF;
		if (loop % 10 == 5 && resetSeq < 0 && !noApp) {
			long request = readRequest();
			if (request >= 0 && request != handledSeq) {
				handledSeq = request;
				if (noCsp) {
					respond(request, "error ac.ext_resetCar is missing: install Custom Shaders Patch (CSP)");
					printf("fake-ac: reset request %ld: no CSP\n", request);
				} else {
					resetSeq = request;
					resetStarted = GetTickCount64();
					printf("fake-ac: reset request %ld: ac.ext_resetCar()\n", request);
				}
			}
		}
		/* A CSP reset in progress: restart race for 60 ms, then start race for 60 ms, then answer. */
		uint32_t resetButtons = 0;
		if (resetSeq >= 0) {
			ULONGLONG t = GetTickCount64() - resetStarted;
			if (t < 60) resetButtons = 1u << 6;
			else if (t < 120) resetButtons = 1u << 8;
			else {
				respond(resetSeq, "ok");
				resetSeq = -1;
			}
		}
		if (mode == LIVE && (resetButtons || (!unbound && loop % 4 == 0))) {
			FakeVJoyState v;
			if (readFile(vjoyPath, (unsigned char *)&v, sizeof v) != (int)sizeof v || v.magic != FAKE_VJOY_MAGIC || unbound) {
				memset(&v, 0, sizeof v); /* not read, or not bound: neutral axes, no buttons */
				v.magic = FAKE_VJOY_MAGIC;
				v.axes[0] = 0x4000;
				v.axes[1] = v.axes[2] = 1;
			}
			v.buttons |= resetButtons;
			{
				/* The sim host's joystick page: i32 seq, f32 steer, throttle, brake, u32 buttons. */
				struct {
					int32_t seq;
					float steer, throttle, brake;
					uint32_t buttons;
				} c = { ++seq, (v.axes[0] - 1) / 32767.0f * 2 - 1, (v.axes[1] - 1) / 32767.0f, (v.axes[2] - 1) / 32767.0f, v.buttons };
				if (c.throttle < 0) c.throttle = 0;
				if (c.brake < 0) c.brake = 0;
				if (c.steer < -1) c.steer = -1;
				writeFileAt0(controlPath, &c, sizeof c);
			}
		}
		Sleep(1);
	}
	for (int p = 0; p < PAGES; p++) {
		UnmapViewOfFile((void *)views[p]);
		CloseHandle(maps[p]);
	}
	printf("fake-ac: quit\n");
	return 0;
}
