// common: what every kzoo package shares.
//   errors.ts      Kafka's error-code table and KafkaError
//   time.ts        injected clock and scheduler (Time, MockTime): the only timers
//   Logger.ts, properties.ts: structured logs, Kafka's properties format
//   config.ts      ConfigDef/AbstractConfig: Kafka's config definitions, parsing, README tables
//   RepeatedWarning.ts   one WARN for a failure that repeats on every retry
//   ExponentialBackoff.ts  Kafka's jittered exponential backoff (reconnects, connect timeouts)
//   TopicPartition.ts    Kafka's TopicPartition and its one string form, `<topic>-<partition>`
//   Sanitizer.ts   Kafka's Sanitizer: client ids and users as znode names and metric tags
//   QuotaConfigs.ts  the client/user quota keys (producer_byte_rate, ...)
//   process-env.ts, process-heap.ts  the environment and V8 heap growth of the processes kzoo runs
//   v8-shapes.ts   keeping V8's hidden classes steady on hot paths (emptyObjectArray)
//   bytes.ts       big-endian integers in Buffers by element access (getInt32, setInt32, ...)
import * as errors from './errors';
import * as time from './time';
import * as logger from './Logger';
import * as properties from './properties';
import * as config from './config';
import * as repeatedWarning from './RepeatedWarning';
import * as exponentialBackoff from './ExponentialBackoff';
import * as topicPartition from './TopicPartition';
import * as sanitizer from './Sanitizer';
import * as quotaConfigs from './QuotaConfigs';
import * as processEnv from './process-env';
import * as processHeap from './process-heap';
import * as v8Shapes from './v8-shapes';
import * as bytes from './bytes';

export type { ErrorDef, ErrorName } from './errors';
export import errorDef = errors.errorDef;
export import isRetriable = errors.isRetriable;
export import ERRORS_BY_CODE = errors.ERRORS_BY_CODE;
export import ERRORS_BY_NAME = errors.ERRORS_BY_NAME;
export import ErrorCode = errors.ErrorCode;
export import KafkaError = errors.KafkaError;

export type { ScheduledTask, ScheduleOptions, Time } from './time';
export import SystemTime = time.SystemTime;
export import MockTime = time.MockTime;

export type { LogLevel, LogFields, LogSink } from './Logger';
export import setLogLevel = logger.setLogLevel;
export import setLogSink = logger.setLogSink;
export import createLogger = logger.createLogger;
export import logLinesAtOrAbove = logger.logLinesAtOrAbove;
export import Logger = logger.Logger;

export import parseProperties = properties.parseProperties;

export type {
  ConfigType,
  Importance,
  ConfigValue,
  Validator,
  ConfigKey,
  ParseOptions,
  TableOptions,
} from './config';
export import configError = config.configError;
export import parseType = config.parseType;
export import convertToString = config.convertToString;
export import lambdaValidator = config.lambdaValidator;
export import unknownConfigMessage = config.unknownConfigMessage;
export import defaultString = config.defaultString;
export import configTableMarkdown = config.configTableMarkdown;
export import generatedSectionMarkers = config.generatedSectionMarkers;
export import readGeneratedSection = config.readGeneratedSection;
export import replaceGeneratedSection = config.replaceGeneratedSection;
export import NO_DEFAULT_VALUE = config.NO_DEFAULT_VALUE;
export import LONG_MAX = config.LONG_MAX;
export import Range = config.Range;
export import ValidString = config.ValidString;
export import CaseInsensitiveValidString = config.CaseInsensitiveValidString;
export import ValidList = config.ValidList;
export import NonEmptyString = config.NonEmptyString;
export import ConfigDef = config.ConfigDef;
export import AbstractConfig = config.AbstractConfig;

export import WARN_REPEAT_MS = repeatedWarning.WARN_REPEAT_MS;
export import RepeatedWarning = repeatedWarning.RepeatedWarning;

export import ExponentialBackoff = exponentialBackoff.ExponentialBackoff;

export type { TopicPartition } from './TopicPartition';
export import tpKey = topicPartition.tpKey;
export import parseTpKey = topicPartition.parseTpKey;
export import compareTopicPartitions = topicPartition.compareTopicPartitions;

export import sanitize = sanitizer.sanitize;
export import desanitize = sanitizer.desanitize;

export type { QuotaConfigKey } from './QuotaConfigs';
export import isClientOrUserQuotaConfig = quotaConfigs.isClientOrUserQuotaConfig;
export import quotaConfigKey = quotaConfigs.quotaConfigKey;
export import PRODUCER_BYTE_RATE = quotaConfigs.PRODUCER_BYTE_RATE;
export import CONSUMER_BYTE_RATE = quotaConfigs.CONSUMER_BYTE_RATE;
export import REQUEST_PERCENTAGE = quotaConfigs.REQUEST_PERCENTAGE;
export import CONTROLLER_MUTATION_RATE = quotaConfigs.CONTROLLER_MUTATION_RATE;
export import CLIENT_QUOTA_CONFIGS = quotaConfigs.CLIENT_QUOTA_CONFIGS;

export import nodeProcessEnv = processEnv.nodeProcessEnv;
export import KZOO_GLIBC_TUNABLES = processEnv.KZOO_GLIBC_TUNABLES;
export import kzooNodeArgs = processEnv.kzooNodeArgs;
export import KZOO_NODE_FLAGS = processEnv.KZOO_NODE_FLAGS;

export import heapGrowingPercent = processHeap.heapGrowingPercent;
export import tuneProcessHeap = processHeap.tuneProcessHeap;
export import KZOO_HEAP_GROWING_PERCENT = processHeap.KZOO_HEAP_GROWING_PERCENT;

export import emptyObjectArray = v8Shapes.emptyObjectArray;
export import mapToObjects = v8Shapes.mapToObjects;

export import getInt8 = bytes.getInt8;
export import getUint8 = bytes.getUint8;
export import getInt16 = bytes.getInt16;
export import getUint16 = bytes.getUint16;
export import getInt32 = bytes.getInt32;
export import getUint32 = bytes.getUint32;
export import setInt8 = bytes.setInt8;
export import setUint8 = bytes.setUint8;
export import setInt16 = bytes.setInt16;
export import setUint16 = bytes.setUint16;
export import setInt32 = bytes.setInt32;
export import setUint32 = bytes.setUint32;
