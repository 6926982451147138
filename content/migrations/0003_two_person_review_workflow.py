"""Create the "two-person review" workflow and put the whole page tree under it.

Editors submit; a member of the Moderators group other than the submitter
approves (``TwoPersonReviewTask``). Assigned to the root page, so the home page
and everything below it inherit it, whatever the home page's id.
"""

from django.db import migrations

WORKFLOW_NAME = "两人审核"
TASK_NAME = "另一位编辑审核"


def create_workflow(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Group = apps.get_model("auth", "Group")
    Page = apps.get_model("wagtailcore", "Page")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowPage = apps.get_model("wagtailcore", "WorkflowPage")
    TwoPersonReviewTask = apps.get_model("content", "TwoPersonReviewTask")

    task_type, _ = ContentType.objects.get_or_create(app_label="content", model="twopersonreviewtask")
    task = TwoPersonReviewTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = TwoPersonReviewTask.objects.create(name=TASK_NAME, content_type=task_type, active=True)
    moderators = Group.objects.filter(name="Moderators").first()
    if moderators is not None:
        task.groups.add(moderators)
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW_NAME, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    root = Page.objects.filter(depth=1).order_by("path").first()
    if root is not None:
        WorkflowPage.objects.update_or_create(page=root, defaults={"workflow": workflow})


def remove_workflow(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Workflow.objects.filter(name=WORKFLOW_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("content", "0002_stories_news_pages_impact_workflow"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_workflow, remove_workflow)]
