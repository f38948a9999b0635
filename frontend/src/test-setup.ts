// jsdom lacks matchMedia, which Mantine reads on start-up.
if (typeof window !== 'undefined') window.matchMedia ??= ((query: string) => ({
  matches: false,
  media: query,
  onchange: null,
  addListener: () => {},
  removeListener: () => {},
  addEventListener: () => {},
  removeEventListener: () => {},
  dispatchEvent: () => false,
})) as unknown as typeof window.matchMedia;

// Nor ResizeObserver, which Mantine's SegmentedControl (its floating indicator) uses.
if (typeof window !== 'undefined') window.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

// Nor scrollIntoView, which Mantine's combobox calls on the selected option.
if (typeof window !== 'undefined') window.HTMLElement.prototype.scrollIntoView ??= function scrollIntoView() {};
