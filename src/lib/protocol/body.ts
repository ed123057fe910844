/**
 * Validated access to a decoded MessagePack map. Every getter checks presence, type and range and
 * throws a ProtocolError naming the message and field, so message decoders read like schemas.
 */
import { ErrorCode, fail } from './errors.ts';
import type { Limits } from './limits.ts';

export type Fields = Record<string, unknown>;

export function isFields(value: unknown): value is Fields {
	return (
		typeof value === 'object' && value !== null && !Array.isArray(value) && !ArrayBuffer.isView(value) && Object.getPrototypeOf(value) === Object.prototype
	);
}

export function assertFinite(values: ArrayLike<number>, field: string): void {
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (v - v !== 0) fail(ErrorCode.NON_FINITE, `${field}[${i}] is ${v}`);
	}
}

/** Every value is finite and at most `max` in magnitude (INVALID_FIELD names the first that is not). */
export function assertWithin(values: ArrayLike<number>, max: number, field: string, limit: string): void {
	assertFinite(values, field);
	for (let i = 0; i < values.length; i++) {
		const v = values[i];
		if (v > max || v < -max) fail(ErrorCode.INVALID_FIELD, `${field}[${i}] = ${v} is beyond ±${max} (${limit})`);
	}
}

export class Body {
	constructor(
		private readonly fields: Fields,
		private readonly where: string,
		readonly limits: Limits
	) {}

	static of(value: unknown, where: string, limits: Limits): Body {
		if (!isFields(value)) fail(ErrorCode.INVALID_FIELD, `${where}: expected a map`);
		return new Body(value, where, limits);
	}

	has(key: string): boolean {
		return this.fields[key] !== undefined && this.fields[key] !== null;
	}

	private get(key: string): unknown {
		const value = this.fields[key];
		if (value === undefined || value === null) fail(ErrorCode.INVALID_FIELD, `${this.where}.${key} is missing`);
		return value;
	}

	private wrong(key: string, expected: string): never {
		fail(ErrorCode.INVALID_FIELD, `${this.where}.${key} must be ${expected}`);
	}

	/** An integer in [min, max]. */
	int(key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
		const value = this.get(key);
		if (typeof value !== 'number' || !Number.isInteger(value)) this.wrong(key, 'an integer');
		if (value < min || value > max) {
			const code = max !== Number.MAX_SAFE_INTEGER && value > max ? ErrorCode.LIMIT_EXCEEDED : ErrorCode.INVALID_FIELD;
			fail(code, `${this.where}.${key} = ${value} is outside [${min}, ${max}]`);
		}
		return value;
	}

	/** A finite number. */
	num(key: string): number {
		const value = this.get(key);
		if (typeof value !== 'number') this.wrong(key, 'a number');
		if (!Number.isFinite(value)) fail(ErrorCode.NON_FINITE, `${this.where}.${key} is ${value}`);
		return value;
	}

	bool(key: string): boolean {
		const value = this.get(key);
		if (typeof value !== 'boolean') this.wrong(key, 'a boolean');
		return value;
	}

	str(key: string, allowed?: readonly string[]): string {
		const value = this.get(key);
		if (typeof value !== 'string') this.wrong(key, 'a string');
		if (value.length > this.limits.maxStringLength) {
			fail(ErrorCode.LIMIT_EXCEEDED, `${this.where}.${key} has ${value.length} characters, over maxStringLength ${this.limits.maxStringLength}`);
		}
		if (allowed && !allowed.includes(value)) this.wrong(key, `one of ${allowed.join(', ')}`);
		return value;
	}

	strings(key: string, count: number): string[] {
		const list = this.list(key);
		if (list.length !== count) this.wrong(key, `a list of ${count} strings`);
		return list.map((item, i) => {
			if (typeof item !== 'string') this.wrong(`${key}[${i}]`, 'a string');
			if (item.length > this.limits.maxStringLength) fail(ErrorCode.LIMIT_EXCEEDED, `${this.where}.${key}[${i}] is too long`);
			return item;
		});
	}

	numbers(key: string, maxLength = this.limits.maxListLength): number[] {
		return this.list(key, maxLength).map((item, i) => {
			if (typeof item !== 'number' || !Number.isFinite(item)) this.wrong(`${key}[${i}]`, 'a finite number');
			return item;
		});
	}

	list(key: string, maxLength = this.limits.maxListLength): unknown[] {
		const value = this.get(key);
		if (!Array.isArray(value)) this.wrong(key, 'a list');
		if (value.length > maxLength) {
			fail(ErrorCode.LIMIT_EXCEEDED, `${this.where}.${key} has ${value.length} entries, over the limit of ${maxLength}`);
		}
		return value;
	}

	map(key: string): Body {
		return Body.of(this.get(key), `${this.where}.${key}`, this.limits);
	}

	maps(key: string, maxLength?: number): Body[] {
		return this.list(key, maxLength).map((item, i) => Body.of(item, `${this.where}.${key}[${i}]`, this.limits));
	}

	/** Raw bytes (MessagePack bin), optionally of an exact length. */
	bin(key: string, byteLength?: number): Uint8Array {
		const value = this.get(key);
		if (!(value instanceof Uint8Array)) this.wrong(key, 'binary (MessagePack bin)');
		if (byteLength !== undefined && value.length !== byteLength) {
			fail(ErrorCode.INVALID_FIELD, `${this.where}.${key} has ${value.length} bytes, expected ${byteLength}`);
		}
		return value;
	}

	/** `count` little-endian float32 values, copied into an aligned array, checked finite unless told. */
	f32(key: string, count: number, finite = true): Float32Array {
		const bytes = this.bin(key, count * 4);
		const out = new Float32Array(count);
		new Uint8Array(out.buffer).set(bytes);
		if (finite) assertFinite(out, `${this.where}.${key}`);
		return out;
	}

	/** `count` little-endian float64 values, copied, checked finite. */
	f64(key: string, count: number): Float64Array {
		const bytes = this.bin(key, count * 8);
		const out = new Float64Array(count);
		new Uint8Array(out.buffer).set(bytes);
		assertFinite(out, `${this.where}.${key}`);
		return out;
	}

	/** A field name for error messages. */
	path(key: string): string {
		return `${this.where}.${key}`;
	}
}
