using System.Runtime.Serialization;
using DurableTask.Core;
using DurableTask.Core.History;
using Google.Protobuf.Collections;
using MaskContrast.Orchestration.Hosting;
using Microsoft.DurableTask.Testing.Sidecar.Dispatcher;

namespace MaskContrast.Tests.Orchestration;

/// <summary>What <see cref="SubOrchestrationEventFix"/> rewrites, on hand-built history (the Azurite tests show it end to end).</summary>
public sealed class SubOrchestrationEventFixTests
{
    [Fact]
    public void SidecarEvent_HasNoDataContract_WhichIsWhyAzureStorageWritesAnEmptyHistoryRow()
    {
        // The Azure Storage table converter only serializes [DataContract] types; the sidecar's subclass is not one.
        Assert.False(typeof(GrpcSubOrchestrationInstanceCreatedEvent).IsDefined(typeof(DataContractAttribute), inherit: false));
        Assert.True(typeof(SubOrchestrationInstanceCreatedEvent).IsDefined(typeof(DataContractAttribute), inherit: false));
    }

    [Fact]
    public void Apply_SidecarEventAndMapFieldTags_BecomePlainEventsAndDictionaries()
    {
        var started = new ExecutionStartedEvent(-1, "\"in\"")
        {
            Name = "Parent",
            OrchestrationInstance = new OrchestrationInstance { InstanceId = "p1", ExecutionId = "e1" },
            Tags = new MapField<string, string> { { "k", "v" } },
        };
        var state = new OrchestrationRuntimeState([started]);
        state.AddEvent(new GrpcSubOrchestrationInstanceCreatedEvent(3)
        {
            Name = "Child",
            Version = "1",
            InstanceId = "c1",
            Input = "42",
            Tags = new MapField<string, string> { { "t", "x" } },
            Timestamp = new DateTime(2026, 11, 27, 0, 0, 0, DateTimeKind.Utc),
        });
        var childStart = new TaskMessage { Event = new ExecutionStartedEvent(-1, "42") { Tags = new MapField<string, string>() } };
        var outbound = new List<TaskMessage> { childStart };

        SubOrchestrationEventFix.Apply(state, outbound, null, []);

        var created = Assert.IsType<SubOrchestrationInstanceCreatedEvent>(state.NewEvents.Single(e => e is SubOrchestrationInstanceCreatedEvent));
        Assert.Equal(typeof(SubOrchestrationInstanceCreatedEvent), created.GetType());
        Assert.Same(created, state.Events[^1]);
        Assert.Equal((3, "Child", "1", "c1", "42"), (created.EventId, created.Name, created.Version, created.InstanceId, created.Input));
        Assert.Equal(new DateTime(2026, 11, 27, 0, 0, 0, DateTimeKind.Utc), created.Timestamp);
        Assert.Equal(new Dictionary<string, string> { ["t"] = "x" }, Assert.IsType<Dictionary<string, string>>(created.Tags));
        Assert.IsType<Dictionary<string, string>>(((ExecutionStartedEvent)state.Events[0]).Tags);
        Assert.IsType<Dictionary<string, string>>(((ExecutionStartedEvent)childStart.Event).Tags);
    }
}
