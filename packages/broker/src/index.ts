// @kzoo/broker — filled in by its issue.
export {};
