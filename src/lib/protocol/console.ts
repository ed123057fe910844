/**
 * Messages on /ws/console (learner → browser), sent as JSON text: the browser needs no binary
 * codec for a few updates per second.
 */

export interface ConsoleStatus {
	runId: string;
	uptimeS: number;
	actors: number;
	samples: number;
}

export type ConsoleEvent = { type: 'status'; status: ConsoleStatus };
