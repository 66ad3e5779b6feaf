// @kzoo/zk — filled in by its issue.
export {};
