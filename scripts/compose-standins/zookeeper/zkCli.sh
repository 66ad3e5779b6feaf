#!/bin/bash
# Stand-in zkCli.sh: ZooKeeper's command-line client (default server 127.0.0.1:2181).
exec java -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp /usr/share/java/zookeeper.jar:/usr/share/java/slf4j-simple.jar \
  org.apache.zookeeper.ZooKeeperMain "$@"
