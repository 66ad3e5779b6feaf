// @kzoo/testkit — filled in by its issue.
export {};
