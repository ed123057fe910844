/*
 * The state of the fake vJoy "driver", shared by every process that loads the fake
 * vJoyInterface.dll, the fake AC (which reads it as a game reads its joystick) and the tests
 * (which read it from Linux). It lives in a file (FAKE_VJOY_STATE), so it outlives the process
 * that set it, as a real vJoy device keeps its last axes after its owner dies.
 * Little-endian, 4-byte packing, 52 bytes.
 */
#ifndef FAKE_VJOY_H
#define FAKE_VJOY_H
#include <stdint.h>

#define FAKE_VJOY_MAGIC 0x594f4a56u /* "VJOY" */
#define FAKE_VJOY_AXES 8            /* HID usages 0x30 (X) … 0x37 (SL1) */

#pragma pack(push, 4)
typedef struct {
	uint32_t magic;
	int32_t owner;                  /* process id owning device 1; 0 = free */
	int32_t axes[FAKE_VJOY_AXES];   /* 0x1 … 0x8000, centre 0x4000 */
	uint32_t buttons;               /* bit n-1 = button n (1 … 32) */
	uint32_t writes;                /* advances on every change */
	uint32_t badCalls;              /* calls outside the SDK's contract (a BOOL not 0/1, a bad id …) */
} FakeVJoyState;
#pragma pack(pop)

#endif
