"""The console as an operator uses it, in headless Chromium (Tests/Browser/run).

The daemon is BrowserTests.swift's: CONSOLE_URL is where it listens, CENTRAL_TOKEN an
admin's token (operator `tester`), APPROVER_TOKEN an approver's (`checker`), ENTITY_TOKEN
the token of entity PAR-01, PASSWORD the password of `tester`, `checker` and the viewer `vera`.
Data is made through the API; then the browser signs in, filters, opens packages by their
label, cancels one with a comment, reinitializes one, corrects a refused edit form, and is shown
no button a viewer may not press. Every page is checked with axe: no serious or critical
violation. Exits non-zero on the first failure, saying which step.
"""

import os

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from browser import ROOT, SCREENSHOTS, Browser, api


def package(body, *actions):
    """Creates a package as the admin; the admin submits, the approver decides."""
    created = api("POST", "/v1/packages", "CENTRAL_TOKEN", body)
    for action in actions:
        api("POST", f"/v1/packages/{created['id']}/{action}", "CENTRAL_TOKEN" if action == "submit" else "APPROVER_TOKEN", {})
    return created["id"]


def seed():
    summer = package(
        {"label": "Summer event", "type": "collaborative", "campaign_name": "summer", "campaign_folder": "/2027/summer"},
        "submit", "approve", "publish")
    api("POST", f"/v1/packages/{summer}/orders", "ENTITY_TOKEN", {"label": "Summer kit"})
    spring = package(
        {"label": "Spring sale", "type": "local", "campaign_name": "spring", "campaign_folder": "/2027/spring"},
        "submit", "approve", "publish")
    api("POST", f"/v1/packages/{spring}/orders", "ENTITY_TOKEN", {"label": "500 flyers"})
    winter = package(
        {"label": "Winter offer", "type": "local", "campaign_name": "winter", "campaign_folder": "/2027/winter"}, "submit")
    package({"label": "Autumn draft", "type": "local", "campaign_name": "autumn", "campaign_folder": "/2027/autumn"})
    gifts = package(
        {"label": "Gift cards", "type": "local", "campaign_name": "gifts", "campaign_folder": "/2027/gifts"},
        "submit", "approve", "publish")
    api("POST", f"/v1/packages/{gifts}/orders", "ENTITY_TOKEN", {"label": "200 gift cards"})
    return summer, spring, winter


def main():
    summer, spring, winter = seed()
    console = Browser()
    try:
        console.step("sign in as the approver checker")
        console.sign_in("checker")
        if SCREENSHOTS:
            console.driver.save_screenshot(os.path.join(ROOT, "docs", "console-packages.png"))

        console.step("filter: Pending approval")
        console.click_link("Pending approval")
        rows = console.driver.find_element(By.TAG_NAME, "tbody").text
        console.expect("Winter offer" in rows and "Autumn draft" not in rows, "Pending approval lists the pending package only")

        console.step("open Winter offer by its label")
        console.click_link("Winter offer")
        console.expect(console.driver.find_element(By.TAG_NAME, "h1").text == "Winter offer", "the dashboard of Winter offer")
        console.expect("Approve" in console.buttons(), "an approver may approve it")

        console.step("cancel Summer event: first without a comment, then with one")
        console.open(f"/console/packages/{summer}")
        if SCREENSHOTS:
            console.driver.save_screenshot(os.path.join(ROOT, "docs", "console-dashboard.png"))
        comment = console.driver.find_element(By.ID, "comment")
        comment.send_keys("   ")
        console.click_button("Cancel")
        error = console.driver.find_elements(By.ID, "comment-error")
        console.expect(error and "Comment" in error[0].text, "a blank comment is refused next to its field")
        console.accessible()
        console.expect(console.status().startswith("Published"), "a refused cancel changes nothing")
        comment = console.driver.find_element(By.ID, "comment")
        comment.clear()
        comment.send_keys("Recalled by legal")
        console.click_button("Cancel")
        console.wait_status("Cancelled")
        orders = console.driver.find_element(By.CSS_SELECTOR, "section[aria-labelledby=orders] tbody").text
        console.expect("cancelled" in orders, "the package's orders are cancelled")
        console.expect("Recalled by legal" in console.driver.page_source, "the comment is in the journal")

        console.step("reinitialize Spring sale")
        console.open(f"/console/packages/{spring}")
        console.click_link("Reinitialize the package to reuse it")
        console.click_button("OK")
        console.wait_status("Being edited")

        console.step("the admin tester edits Autumn draft: a date out of order is refused next to its field, then fixed")
        console.sign_out()
        console.sign_in("tester")
        console.click_link("Being edited")
        console.click_link("Autumn draft")
        console.click_link("Edit")
        for field, value in (("visible_from", "2027-09-10T09:00"), ("visible_until", "2027-09-01T09:00")):
            box = console.driver.find_element(By.ID, field)
            box.clear()
            box.send_keys(value)
        console.click_button("Save")
        error = console.driver.find_elements(By.ID, "visible_until-error")
        console.expect(error and error[0].text, "the date out of order is refused next to Visible until")
        console.expect(console.driver.find_element(By.ID, "visible_until").get_attribute("aria-invalid") == "true", "marked invalid")
        console.accessible()
        box = console.driver.find_element(By.ID, "visible_until")
        box.clear()
        box.send_keys("2027-10-01T09:00")
        console.click_button("Save")
        console.expect(console.driver.find_element(By.TAG_NAME, "h1").text == "Autumn draft", "back on the dashboard")
        console.expect("2027-10-01T09:00" in console.driver.page_source, "the new date is saved")

        console.step("the admin's pages: orders, an order, jobs, entities, operators, tokens (axe on each)")
        console.click_link("Campaign orders")
        console.click_link(console.driver.find_element(By.CSS_SELECTOR, "tbody a").text)
        for link in ("Failed jobs", "Entities", "Operators", "Tokens"):
            console.click_link(link)

        console.step("approve the pending orders in bulk: choose one, Approve, read the job's result")
        console.open("/console/orders?status=pending_approval")
        rows = console.driver.find_element(By.TAG_NAME, "tbody").text
        console.expect("200 gift cards" in rows, "the pending order is listed")
        console.driver.find_element(By.CSS_SELECTOR, "tbody input[type=checkbox]").click()
        console.click_button("Approve")
        WebDriverWait(console.driver, 30).until(lambda driver: driver.find_elements(By.ID, "changed"))
        console.expect(console.driver.find_element(By.ID, "changed").text == "1 order changed.", "the job says what it changed")
        console.accessible()

        console.step("sign out; the viewer vera sees no button she may not press")
        console.sign_out()
        console.sign_in("vera")
        console.open(f"/console/packages/{winter}")
        shown = console.buttons()
        console.expect("Approve" not in shown and "Cancel" not in shown and "Reject" not in shown, f"a viewer sees {shown}")
        console.expect("No action is open to you" in console.driver.page_source, "the viewer is told")
        console.step(f"done: {len(console.checked)} kinds of page checked with axe")
    finally:
        console.driver.quit()


if __name__ == "__main__":
    main()
