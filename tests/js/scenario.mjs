// The AWS SDK for JavaScript v3 against mock_lookoutvision's server, as a user's JavaScript test
// would drive it. tests/test_javascript_sdk.py runs it and checks what it prints.
//
//   node tests/js/scenario.mjs <endpoint-url> <data-dir> <advance|poll>
//
// (or LOOKOUTVISION_ENDPOINT, SCENARIO_DATA and SCENARIO_MODE in the environment).
//
// <data-dir> holds what the Python side prepared: scenario.json (names, and the calls that must
// fail), s3/ (every file is put into the images bucket under its path there: the PNG images and
// the manifest naming them) and the PNG image given to DetectAnomalies.
//
// advance: the server runs in real time; the script moves simulated time with the control routes
//   (POST /_mock_lookoutvision/advance, .../models/{project}/{version}/{step}/finish).
// poll: the server runs faster than real time (speed=3600); the script polls with real sleeps.
//
// Prints one JSON object of results on stdout; anything unexpected exits non-zero.

import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import * as lookoutvision from "@aws-sdk/client-lookoutvision";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";

const {
  CreateDatasetCommand,
  CreateModelCommand,
  CreateProjectCommand,
  DescribeDatasetCommand,
  DescribeModelCommand,
  DetectAnomaliesCommand,
  LookoutVisionClient,
  LookoutVisionServiceException,
  StartModelCommand,
  StopModelCommand,
  paginateListModels,
} = lookoutvision;

const [
  endpoint = process.env.LOOKOUTVISION_ENDPOINT,
  dataDir = process.env.SCENARIO_DATA,
  mode = process.env.SCENARIO_MODE ?? "advance",
] = process.argv.slice(2);
if (!endpoint || !dataDir || !["advance", "poll"].includes(mode)) {
  console.error("usage: node scenario.mjs <endpoint-url> <data-dir> <advance|poll>");
  process.exit(2);
}

// What any client of the mock needs: its endpoint, a region, and credentials of any value (the
// server checks the signature's form, not the keys). Explicit credentials keep the SDK from
// looking for a profile or an instance role.
const clientConfig = {
  endpoint,
  region: "us-east-1",
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
};
const lv = new LookoutVisionClient(clientConfig);
// moto's S3 takes the bucket in the path: http://127.0.0.1:PORT/bucket/key.
const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });

// The x-amzn-client-token header of each CreateModel attempt as sent: the deserialize step runs
// once per attempt, inside the retry loop (which is in the finalizeRequest step).
const sentClientTokens = [];
lv.middlewareStack.add(
  (next, context) => async (args) => {
    if (context.commandName === "CreateModelCommand") {
      sentClientTokens.push(args.request.headers["x-amzn-client-token"] ?? null);
    }
    return next(args);
  },
  { step: "deserialize", name: "recordClientTokens" },
);

const config = JSON.parse(await readFile(path.join(dataDir, "scenario.json"), "utf8"));
const probe = new Uint8Array(await readFile(path.join(dataDir, config.probe)));

// The mock's controls, for clients in other processes.
async function control(route, body = {}) {
  const response = await fetch(new URL(`/_mock_lookoutvision/${route}`, endpoint), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) {
    throw new Error(`control ${route} answered ${response.status}: ${JSON.stringify(answer)}`);
  }
  return answer;
}

// A service error as the SDK gives it: an instance of the operation's modelled exception class
// (a LookoutVisionServiceException), its name, message and fault, the response's metadata, and
// the error shape's members as properties of their own.
function errorSummary(error) {
  if (!(error instanceof LookoutVisionServiceException)) {
    throw error;
  }
  const members = {};
  for (const [key, value] of Object.entries(error)) {
    if (!key.startsWith("$") && key !== "name" && key !== "message") {
      members[key] = value;
    }
  }
  return {
    name: error.name,
    message: error.message,
    fault: error.$fault,
    httpStatusCode: error.$metadata.httpStatusCode,
    attempts: error.$metadata.attempts,
    requestId: error.$metadata.requestId,
    modelledClass: typeof lookoutvision[error.name] === "function"
      && error instanceof lookoutvision[error.name],
    members,
  };
}

// Sends ``command``; the error's summary, or null where the call succeeded (which it must not).
async function failure(command) {
  try {
    await lv.send(command);
    return null;
  } catch (error) {
    return errorSummary(error);
  }
}

// The calls the Python side makes again with boto3: {name: [operation, input]}. A Body given as
// {"$file": name} is that file of the data directory, as a Uint8Array.
async function commandFor([operation, input]) {
  const resolved = { ...input };
  if (resolved.Body && resolved.Body.$file) {
    resolved.Body = new Uint8Array(await readFile(path.join(dataDir, resolved.Body.$file)));
  }
  return new lookoutvision[`${operation}Command`](resolved);
}

// The files under ``directory``, as paths relative to it with "/" between folders, sorted.
async function filesUnder(directory, prefix = "") {
  const files = [];
  for (const entry of await readdir(path.join(directory, prefix), { withFileTypes: true })) {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      files.push(...(await filesUnder(directory, relative)));
    } else if (entry.isFile()) {
      files.push(relative);
    }
  }
  return files.sort();
}

// S3: the buckets, then the images and the manifest, each object a Uint8Array.
async function putTrainingData() {
  const buckets = [];
  for (const bucket of [config.imagesBucket, config.outputBucket]) {
    const created = await s3.send(new CreateBucketCommand({ Bucket: bucket }));
    buckets.push({ bucket, httpStatusCode: created.$metadata.httpStatusCode });
  }
  const root = path.join(dataDir, "s3");
  const keys = await filesUnder(root);
  const etags = {};
  for (const key of keys) {
    const body = new Uint8Array(await readFile(path.join(root, key)));
    const put = await s3.send(
      new PutObjectCommand({
        Bucket: config.imagesBucket,
        Key: key,
        Body: body,
        ContentType: key.endsWith(".png") ? "image/png" : "application/x-ndjson",
      }),
    );
    etags[key] = put.ETag;
  }
  return { buckets, etags };
}

function datasetSource() {
  return {
    GroundTruthManifest: {
      S3Object: { Bucket: config.imagesBucket, Key: config.manifestKey },
    },
  };
}

const outputConfig = {
  S3Location: { Bucket: config.outputBucket, Prefix: config.outputPrefix },
};

async function describeModel(project, version) {
  const { ModelDescription } = await lv.send(
    new DescribeModelCommand({ ProjectName: project, ModelVersion: version }),
  );
  return ModelDescription;
}

async function advanceScenario() {
  const project = config.project;
  const results = { s3: await putTrainingData() };

  const created = await lv.send(new CreateProjectCommand({ ProjectName: project }));
  results.project = {
    httpStatusCode: created.$metadata.httpStatusCode,
    metadata: created.ProjectMetadata,
  };

  // The dataset: importing, until a simulated minute passes.
  const dataset = await lv.send(
    new CreateDatasetCommand({
      ProjectName: project,
      DatasetType: "train",
      DatasetSource: datasetSource(),
    }),
  );
  const describeDataset = async () =>
    (await lv.send(new DescribeDatasetCommand({ ProjectName: project, DatasetType: "train" })))
      .DatasetDescription;
  const datasetBefore = await describeDataset();
  const datasetAdvance = await control("advance", { seconds: config.datasetSeconds });
  results.dataset = {
    httpStatusCode: dataset.$metadata.httpStatusCode,
    created: dataset.DatasetMetadata,
    before: datasetBefore,
    advance: datasetAdvance,
    after: await describeDataset(),
  };

  // CreateModel without a ClientToken: the SDK puts one of its own into each call.
  const auto = [];
  for (let i = 0; i < 2; i += 1) {
    const answer = await lv.send(
      new CreateModelCommand({ ProjectName: project, OutputConfig: outputConfig }),
    );
    auto.push({ httpStatusCode: answer.$metadata.httpStatusCode, metadata: answer.ModelMetadata });
  }
  const training = await describeModel(project, "1");
  const trainingAdvance = await control("advance", { seconds: config.trainingSeconds });
  results.training = {
    auto,
    describedTraining: training,
    advance: trainingAdvance,
    describedTrained: await describeModel(project, "1"),
    secondTrained: (await describeModel(project, "2")).Status,
  };

  // CreateModel with the caller's ClientToken: the second call is a replay of the first.
  const explicit = [];
  for (let i = 0; i < 2; i += 1) {
    const answer = await lv.send(
      new CreateModelCommand({
        ProjectName: project,
        OutputConfig: outputConfig,
        ClientToken: config.explicitToken,
      }),
    );
    explicit.push({
      httpStatusCode: answer.$metadata.httpStatusCode,
      metadata: answer.ModelMetadata,
    });
  }
  const version = explicit[0].metadata.ModelVersion;
  await control(`models/${project}/${version}/training/finish`);
  results.explicit = { calls: explicit, finished: (await describeModel(project, version)).Status };

  // Hosting, ended at once by its control route.
  const started = await lv.send(
    new StartModelCommand({ ProjectName: project, ModelVersion: "1", MinInferenceUnits: 1 }),
  );
  const starting = (await describeModel(project, "1")).Status;
  await control(`models/${project}/1/hosting_start/finish`);
  results.hosting = {
    httpStatusCode: started.$metadata.httpStatusCode,
    started: started.Status,
    describedStarting: starting,
    describedHosted: (await describeModel(project, "1")).Status,
  };

  const detected = await lv.send(
    new DetectAnomaliesCommand({
      ProjectName: project,
      ModelVersion: "1",
      Body: probe,
      ContentType: "image/png",
    }),
  );
  results.detect = {
    httpStatusCode: detected.$metadata.httpStatusCode,
    bodyType: probe.constructor.name,
    bodyLength: probe.length,
    result: detected.DetectAnomalyResult,
  };

  // A 500 answered once: the SDK retries the call, with the token it made for the first attempt.
  await control("errors", {
    operation: "CreateModel",
    code: "InternalServerException",
    message: "injected by the scenario",
    times: 1,
  });
  const retried = await lv.send(
    new CreateModelCommand({ ProjectName: project, OutputConfig: outputConfig }),
  );
  results.retried = {
    attempts: retried.$metadata.attempts,
    version: retried.ModelMetadata.ModelVersion,
  };
  // Now two models train: the most at once; the error calls include a third.
  const fifth = await lv.send(
    new CreateModelCommand({ ProjectName: project, OutputConfig: outputConfig }),
  );
  results.fifth = fifth.ModelMetadata.ModelVersion;

  // Paging: the paginator sends pageSize as MaxResults and follows NextToken to the end.
  const pages = [];
  for await (const page of paginateListModels(
    { client: lv, pageSize: config.pageSize },
    { ProjectName: project },
  )) {
    pages.push({
      versions: page.Models.map((model) => model.ModelVersion),
      statuses: page.Models.map((model) => model.Status),
      hasNextToken: typeof page.NextToken === "string",
    });
  }
  results.pages = pages;

  results.errors = {};
  for (const [name, call] of Object.entries(config.errorCalls)) {
    results.errors[name] = await failure(await commandFor(call));
  }
  results.sentClientTokens = sentClientTokens;
  return results;
}

// Polls ``read`` every ``config.pollMs`` real milliseconds while it answers one of ``busy``,
// for at most ``config.pollLimitMs``; the statuses seen (each once, in order) and how long.
async function pollWhile(busy, read, first) {
  const begun = Date.now();
  const seen = first === undefined ? [] : [first];
  let polls = 0;
  for (;;) {
    const status = await read();
    polls += 1;
    if (seen.at(-1) !== status) {
      seen.push(status);
    }
    if (!busy.includes(status)) {
      return { statuses: seen, polls, elapsedMs: Date.now() - begun };
    }
    if (Date.now() - begun > config.pollLimitMs) {
      throw new Error(`still ${status} after ${config.pollLimitMs} ms (${polls} polls)`);
    }
    await sleep(config.pollMs);
  }
}

async function pollScenario() {
  const project = config.project;
  const results = { s3: await putTrainingData() };
  await lv.send(new CreateProjectCommand({ ProjectName: project }));

  const dataset = await lv.send(
    new CreateDatasetCommand({
      ProjectName: project,
      DatasetType: "train",
      DatasetSource: datasetSource(),
    }),
  );
  results.dataset = await pollWhile(
    ["CREATE_IN_PROGRESS"],
    async () =>
      (await lv.send(new DescribeDatasetCommand({ ProjectName: project, DatasetType: "train" })))
        .DatasetDescription.Status,
    dataset.DatasetMetadata.Status,
  );

  const created = await lv.send(
    new CreateModelCommand({ ProjectName: project, OutputConfig: outputConfig }),
  );
  const version = created.ModelMetadata.ModelVersion;
  const status = async () => (await describeModel(project, version)).Status;
  results.version = version;
  results.training = await pollWhile(["TRAINING"], status, created.ModelMetadata.Status);

  const started = await lv.send(
    new StartModelCommand({ ProjectName: project, ModelVersion: version, MinInferenceUnits: 1 }),
  );
  results.hosting = await pollWhile(["STARTING_HOSTING"], status, started.Status);

  const detected = await lv.send(
    new DetectAnomaliesCommand({
      ProjectName: project,
      ModelVersion: version,
      Body: probe,
      ContentType: "image/png",
    }),
  );
  results.detect = detected.DetectAnomalyResult;

  const stopped = await lv.send(
    new StopModelCommand({ ProjectName: project, ModelVersion: version }),
  );
  results.stopping = await pollWhile(["STOPPING_HOSTING"], status, stopped.Status);
  return results;
}

async function installedVersion(name) {
  const manifest = new URL(`./node_modules/${name}/package.json`, import.meta.url);
  return JSON.parse(await readFile(manifest, "utf8")).version;
}

const results = mode === "advance" ? await advanceScenario() : await pollScenario();
results.sdk = {
  node: process.versions.node,
  lookoutvision: await installedVersion("@aws-sdk/client-lookoutvision"),
  s3: await installedVersion("@aws-sdk/client-s3"),
};
process.stdout.write(`${JSON.stringify(results)}\n`);
