/** A canvas `width` × `height` CSS pixels at the screen's pixel density, cleared; drawn on in CSS pixels. */
export function sizedContext(canvas: HTMLCanvasElement, width: number, height: number): CanvasRenderingContext2D | undefined {
	const ctx = canvas.getContext('2d');
	if (!ctx || width === 0) return undefined;
	const dpr = window.devicePixelRatio || 1;
	canvas.width = width * dpr;
	canvas.height = height * dpr;
	ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
	ctx.clearRect(0, 0, width, height);
	return ctx;
}

/** Calls `set` with the element's width (whole CSS pixels) now and on every resize; returns the stop. */
export function observeWidth(element: Element, set: (width: number) => void): () => void {
	const observer = new ResizeObserver(([entry]) => set(Math.floor(entry.contentRect.width)));
	observer.observe(element);
	return () => observer.disconnect();
}
