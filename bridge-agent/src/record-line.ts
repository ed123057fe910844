/**
 * record-line: drive one lap (in AC by hand; in the sim the reference driver drives) and store the
 * car's path as the track's centre line, from one crossing of the start line to the next.
 */
import { writeFileSync } from 'node:fs';
import type { AcReader } from './sources/ac-reader.ts';

export interface RecordedLine {
	name: string;
	halfWidth: number;
	/** [x, z] every ≥ 1 m, AC world coordinates. */
	points: [number, number][];
}

export const MIN_SPACING_M = 1;

/** Feeds snapshots until a full lap was seen; returns the line, or undefined while recording. */
export class LineRecorder {
	private startLaps: number | undefined;
	private recording = false;
	readonly points: [number, number][] = [];

	/** Returns true when the lap is complete. */
	feed(reader: AcReader): boolean {
		const { graphics } = reader.read();
		const laps = graphics.completedLaps;
		if (this.startLaps === undefined) this.startLaps = laps;
		if (!this.recording && laps > this.startLaps) {
			this.recording = true;
			this.startLaps = laps;
		} else if (this.recording && laps > this.startLaps) return true;
		if (this.recording) {
			const [x, , z] = graphics.carCoordinates;
			const last = this.points.at(-1);
			if (!last || Math.hypot(x - last[0], z - last[1]) >= MIN_SPACING_M) this.points.push([x, z]);
		}
		return false;
	}

	get started(): boolean {
		return this.recording;
	}
}

export function saveLine(path: string, line: RecordedLine): void {
	writeFileSync(path, JSON.stringify(line) + '\n');
}
