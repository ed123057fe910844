/**
 * What moves the car, whichever car it is: steer in [−1, 1], throttle and brake in [0, 1]. The
 * control loop produces it; the simulated car, vJoy and sim-host's joystick file consume it.
 */
export interface Controls {
	steer: number;
	throttle: number;
	brake: number;
}
