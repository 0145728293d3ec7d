using MaskContrast.Functions.Hosting;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Hosting;

// The Functions app: HTTP API, the Durable pipeline (Azure Storage backend, host.json) and the segment-input trigger.
// Every setting it reads is listed in Hosting/FunctionsSettings.cs and set by infra/app/functions.bicep.
MaskContrast.Core.NativeLogLevel.ShowOnlyErrors();   // no libtorch start-up notes in the logs
var builder = FunctionsApplication.CreateBuilder(args);
builder.ConfigureFunctionsWebApplication();
var store = FunctionsServices.OpenArtifactStore(builder.Configuration);
builder.Services.AddMaskContrastFunctions(store, builder.Configuration);
builder.Build().Run();
